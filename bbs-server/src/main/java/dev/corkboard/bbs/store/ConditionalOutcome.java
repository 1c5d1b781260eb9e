package dev.corkboard.bbs.store;

import dev.corkboard.bbs.state.TaskError;
import dev.corkboard.proto.v1.Task;
import java.util.Optional;

/**
 * What a conditional, fenced write did. Only {@link Written} and {@link Removed} changed etcd; every other outcome
 * left it exactly as it was.
 */
public sealed interface ConditionalOutcome {

    /** The new record is stored. */
    record Written(Task task) implements ConditionalOutcome {}

    /** The record and its index keys are deleted; {@code task} is empty for a pruned unreadable record. */
    record Removed(Optional<Task> task) implements ConditionalOutcome {}

    /** The request is a repeat of what the record already says: nothing was written. */
    record Unchanged(Task task) implements ConditionalOutcome {}

    /** The request is not legal on the record as read: nothing was written. */
    record Refused(TaskError error) implements ConditionalOutcome {}

    /** The record changed (or vanished) since it was read: nothing was written; decide again on a fresh read. */
    record Lost() implements ConditionalOutcome {}

    /** The fence no longer holds (the writer is no longer leader): nothing was written; stop writing at once. */
    record Deposed() implements ConditionalOutcome {}
}
