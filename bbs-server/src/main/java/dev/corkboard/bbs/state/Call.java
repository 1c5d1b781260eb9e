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
    RESOLVE("resolve", "REMOVED"),
    /** The converger rewrites a stale pending or completed task unchanged but for updated_at: it stays in its state. */
    KICK("kick", "PENDING or COMPLETED"),
    /** The converger puts a claim that was never started back to pending. */
    DEMOTE_CLAIM("demote-claim", TaskState.PENDING),
    /** The converger takes a resolution that was abandoned back to completed. */
    DEMOTE_RESOLVING("demote-resolving", TaskState.COMPLETED),
    /** The converger removes a completed task nobody resolved in time. */
    EXPIRE("expire", "REMOVED");

    private final String verb;
    private final String targetName;

    Call(String verb, TaskState target) {
        this(verb, target.name());
    }

    Call(String verb, String targetName) {
        this.verb = verb;
        this.targetName = targetName;
    }

    public String verb() {
        return verb;
    }

    /** The target state's name, {@code REMOVED} for resolve and expire, both kickable states for kick. */
    public String targetName() {
        return targetName;
    }
}
