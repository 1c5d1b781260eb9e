package dev.corkboard.converger.rules;

import dev.corkboard.bbs.state.TaskRequest;
import dev.corkboard.bbs.store.TaskRecord;
import java.util.Optional;

/** One thing a pass does to one record, decided by {@link ConvergenceRules}. */
public sealed interface Repair {

    /** The record as the pass read it; the repair lands only if it is still at this record's mod revision. */
    TaskRecord record();

    /** The state machine call that performs the repair; empty for a prune, which deletes raw bytes. */
    Optional<TaskRequest> request();

    default String guid() {
        return record().guid();
    }

    /** Rules 1 and 2: re-announce a pending task or re-notify a completed one. */
    record Kick(TaskRecord.Readable record) implements Repair {
        @Override
        public Optional<TaskRequest> request() {
            return Optional.of(new TaskRequest.Kick(guid()));
        }
    }

    /** Rule 3: a claim that never started goes back to pending. */
    record DemoteClaim(TaskRecord.Readable record) implements Repair {
        @Override
        public Optional<TaskRequest> request() {
            return Optional.of(new TaskRequest.DemoteClaim(guid()));
        }
    }

    /** Rule 4: an abandoned resolution goes back to completed. */
    record DemoteResolving(TaskRecord.Readable record) implements Repair {
        @Override
        public Optional<TaskRequest> request() {
            return Optional.of(new TaskRequest.DemoteResolving(guid()));
        }
    }

    /** Rules 5 and 6: the task completes as failed with {@code reason}. */
    record Fail(TaskRecord.Readable record, String reason) implements Repair {
        @Override
        public Optional<TaskRequest> request() {
            return Optional.of(new TaskRequest.Fail(guid(), reason));
        }
    }

    /** Rule 7: a completed task nobody resolved is deleted. */
    record Expire(TaskRecord.Readable record) implements Repair {
        @Override
        public Optional<TaskRequest> request() {
            return Optional.of(new TaskRequest.Expire(guid()));
        }
    }

    /** Rule 8: a record that does not parse is deleted. */
    record Prune(TaskRecord.Unreadable record) implements Repair {
        @Override
        public Optional<TaskRequest> request() {
            return Optional.empty();
        }
    }
}
