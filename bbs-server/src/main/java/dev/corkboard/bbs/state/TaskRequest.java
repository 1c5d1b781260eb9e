package dev.corkboard.bbs.state;

import dev.corkboard.proto.v1.TaskDefinition;

/**
 * A request to move one task. Requests are plain values: {@link TaskValidation} checks their fields and
 * {@link TaskLifecycle} decides what they do to a task.
 */
public sealed interface TaskRequest {

    String guid();

    Call call();

    /** Create a pending task. Repeating it with the same domain and definition is a success. */
    record Desire(String guid, String domain, TaskDefinition definition) implements TaskRequest {
        public Call call() {
            return Call.DESIRE;
        }
    }

    /** An executor takes a pending task. */
    record Claim(String guid, String executorId) implements TaskRequest {
        public Call call() {
            return Call.CLAIM;
        }
    }

    /** The owning executor has created the task's container. */
    record Start(String guid, String executorId, String containerHandle) implements TaskRequest {
        public Call call() {
            return Call.START;
        }
    }

    /** The owning executor gives the task back; past the retry limit the task fails with the reason. */
    record Reject(String guid, String executorId, String reason) implements TaskRequest {
        public Call call() {
            return Call.REJECT;
        }
    }

    /** The owning executor reports the outcome. */
    record Complete(String guid, String executorId, boolean failed, String failureReason, String result)
            implements TaskRequest {
        public Call call() {
            return Call.COMPLETE;
        }
    }

    /** A stager or operator stops the task; it completes as failed with {@link TaskLifecycle#CANCELLED_REASON}. */
    record Cancel(String guid) implements TaskRequest {
        public Call call() {
            return Call.CANCEL;
        }
    }

    /** The converger or an operator fails the task with a reason. */
    record Fail(String guid, String reason) implements TaskRequest {
        public Call call() {
            return Call.FAIL;
        }
    }

    /** A stager takes responsibility for a completed task; exactly one stager wins. */
    record Resolving(String guid) implements TaskRequest {
        public Call call() {
            return Call.RESOLVING;
        }
    }

    /** The stager that won {@link Resolving} is done: the task is removed. */
    record Resolve(String guid) implements TaskRequest {
        public Call call() {
            return Call.RESOLVE;
        }
    }

    /**
     * The converger re-announces a pending task or re-notifies a completed one whose notification may have been lost:
     * the record is rewritten with only updated_at moved to now, so every watcher sees a change.
     */
    record Kick(String guid) implements TaskRequest {
        public Call call() {
            return Call.KICK;
        }
    }

    /**
     * The converger takes a claimed task that was never started back to pending, clearing its executor, container
     * handle and claim time. Unlike {@link Reject} it does not count as a rejection.
     */
    record DemoteClaim(String guid) implements TaskRequest {
        public Call call() {
            return Call.DEMOTE_CLAIM;
        }
    }

    /** The converger takes a resolving task whose stager went quiet back to completed, so another stager can try. */
    record DemoteResolving(String guid) implements TaskRequest {
        public Call call() {
            return Call.DEMOTE_RESOLVING;
        }
    }

    /** The converger removes a completed task that no stager resolved within the completed expiry. */
    record Expire(String guid) implements TaskRequest {
        public Call call() {
            return Call.EXPIRE;
        }
    }
}
