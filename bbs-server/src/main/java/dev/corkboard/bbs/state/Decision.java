package dev.corkboard.bbs.state;

import dev.corkboard.proto.v1.Task;

/** What {@link TaskLifecycle} decided a request does to a task. */
public sealed interface Decision {

    /** Store this new record. */
    record Write(Task task) implements Decision {}

    /** Delete the record (resolve). {@code task} is the record being removed. */
    record Remove(Task task) implements Decision {}

    /** A repeat of a call that already applied: succeed without writing. */
    record Unchanged(Task task) implements Decision {}

    /** The call is refused; nothing changes. */
    record Refused(TaskError error) implements Decision {}
}
