package dev.corkboard.bbs.state;

import dev.corkboard.proto.v1.TaskState;

/**
 * Everything that can go wrong with a task call: a closed set, mapped once at the edge (gRPC status codes in the
 * server). Each error renders one human sentence with {@link #message()}.
 */
public sealed interface TaskError {

    String message();

    /** No task with this guid. */
    record NotFound(String guid) implements TaskError {
        public String message() {
            return "task " + guid + " not found";
        }
    }

    /** The guid is taken by a task with a different domain or definition. */
    record AlreadyExists(String guid) implements TaskError {
        public String message() {
            return "task " + guid + " already exists with a different domain or definition";
        }
    }

    /** The call is not legal from the task's current state. {@code to} is a state name or {@code REMOVED}. */
    record InvalidTransition(String guid, TaskState from, String to, Call call) implements TaskError {
        public String message() {
            return "cannot " + call.verb() + " task " + guid + ": it is " + from + " and cannot move from " + from
                    + " to " + to;
        }
    }

    /** The task belongs to another executor than the caller. */
    record OwnedByAnotherExecutor(String guid, String owner, String caller, Call call) implements TaskError {
        public String message() {
            return "cannot " + call.verb() + " task " + guid + " as executor " + caller + ": it is owned by executor "
                    + owner;
        }
    }

    /** A request field is missing or out of bounds. {@code field} uses the protobuf field path. */
    record InvalidRequest(String field, String problem) implements TaskError {
        public String message() {
            return "invalid " + field + ": " + problem;
        }
    }

    /** The stored record of this task cannot be parsed; it is counted and reported, never served. */
    record CorruptRecord(String guid, String problem) implements TaskError {
        public String message() {
            return "stored record of task " + guid + " cannot be read: " + problem;
        }
    }

    /** The store could not be reached or did not answer in time; the call may or may not have applied. */
    record Unavailable(String problem) implements TaskError {
        public String message() {
            return "task store unavailable: " + problem;
        }
    }

    /**
     * The request names an executor other than the caller's identity (under mutual TLS, the subject CN of its client
     * certificate): an executor may only act as itself.
     */
    record NotTheCaller(String executorId, String identity) implements TaskError {
        public String message() {
            return "executor_id " + executorId + " is not the caller's identity " + identity
                    + " (the subject CN of its client certificate); an executor may only act as itself";
        }
    }
}
