package dev.corkboard.bbs.callback;

import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskEvent;
import dev.corkboard.proto.v1.TaskState;
import java.util.Optional;

/**
 * Which tasks the BBS resolves itself: Completed ones whose definition names a completion callback URL. Pure.
 *
 * <p>Any write that leaves such a task Completed calls for a delivery: its completion (Running or Claimed to
 * Completed), the converger's re-notify (Completed rewritten as Completed), the converger's demotion of a stale
 * Resolving task back to Completed, and the created or changed events a watch reports after a resync.
 */
final class CallbackTrigger {

    private CallbackTrigger() {}

    /** Whether this task is waiting for the BBS to deliver its callback. */
    static boolean awaitsCallback(Task task) {
        return task.getState() == TaskState.COMPLETED
                && !task.getDefinition().getCompletionCallbackUrl().isEmpty();
    }

    /** The task to deliver, when this event left one Completed with a callback URL; removals never do. */
    static Optional<Task> taskToDeliver(TaskEvent event) {
        Task task = switch (event.getEventCase()) {
            case CREATED -> event.getCreated().getTask();
            case CHANGED -> event.getChanged().getAfter();
            case REMOVED, EVENT_NOT_SET -> null;
        };
        return task != null && awaitsCallback(task) ? Optional.of(task) : Optional.empty();
    }
}
