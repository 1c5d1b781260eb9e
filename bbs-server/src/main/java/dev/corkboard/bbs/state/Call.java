package dev.corkboard.bbs.state;

import dev.corkboard.proto.v1.TaskState;

/** The calls that move a task, each with the state it moves the task to. */
public enum Call {
    DESIRE("desire", TaskState.PENDING),
    CLAIM("claim", TaskState.CLAIMED),
    START("start", TaskState.RUNNING),
    REJECT("reject", TaskState.PENDING),
    COMPLETE("complete", TaskState.COMPLETED),
    CANCEL("cancel", TaskState.COMPLETED),
    FAIL("fail", TaskState.COMPLETED),
    RESOLVING("resolving", TaskState.RESOLVING),
    /** Removes the record; it has no target state. */
    RESOLVE("resolve", null);

    private final String verb;
    private final TaskState target;

    Call(String verb, TaskState target) {
        this.verb = verb;
        this.target = target;
    }

    public String verb() {
        return verb;
    }

    /** The target state's name, or {@code REMOVED} for resolve. */
    public String targetName() {
        return target == null ? "REMOVED" : target.name();
    }
}
