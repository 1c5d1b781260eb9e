package dev.corkboard.bbs.callback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskChanged;
import dev.corkboard.proto.v1.TaskCreated;
import dev.corkboard.proto.v1.TaskDefinition;
import dev.corkboard.proto.v1.TaskEvent;
import dev.corkboard.proto.v1.TaskRemoved;
import dev.corkboard.proto.v1.TaskState;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CallbackTriggerTest {

    private static final String URL = "http://stager.example/callbacks/t1";

    private static Task task(TaskState state, String url) {
        return Task.newBuilder().setGuid("t1").setState(state)
                .setDefinition(TaskDefinition.newBuilder().setCompletionCallbackUrl(url)).build();
    }

    private static TaskEvent changed(Task before, Task after) {
        return TaskEvent.newBuilder().setRevision(7)
                .setChanged(TaskChanged.newBuilder().setBefore(before).setAfter(after)).build();
    }

    @Test
    void aCompletionOfATaskWithACallbackUrlCallsForDelivery() {
        Task after = task(TaskState.COMPLETED, URL);
        assertEquals(Optional.of(after), CallbackTrigger.taskToDeliver(changed(task(TaskState.RUNNING, URL), after)));
    }

    @Test
    void aReNotifyRewritingACompletedTaskCallsForDeliveryAgain() {
        Task after = task(TaskState.COMPLETED, URL).toBuilder().setUpdatedAtMs(2).build();
        assertEquals(Optional.of(after),
                CallbackTrigger.taskToDeliver(changed(task(TaskState.COMPLETED, URL), after)));
    }

    @Test
    void aDemotionFromResolvingBackToCompletedCallsForDeliveryAgain() {
        Task after = task(TaskState.COMPLETED, URL);
        assertEquals(Optional.of(after),
                CallbackTrigger.taskToDeliver(changed(task(TaskState.RESOLVING, URL), after)));
    }

    @Test
    void aChangeWithoutItsBeforeImageAfterAResyncCallsForDelivery() {
        Task after = task(TaskState.COMPLETED, URL);
        TaskEvent event = TaskEvent.newBuilder().setChanged(TaskChanged.newBuilder().setAfter(after)).build();
        assertEquals(Optional.of(after), CallbackTrigger.taskToDeliver(event));
    }

    @Test
    void aCompletedTaskReportedAsCreatedAfterAResyncCallsForDelivery() {
        Task task = task(TaskState.COMPLETED, URL);
        TaskEvent event = TaskEvent.newBuilder().setCreated(TaskCreated.newBuilder().setTask(task)).build();
        assertEquals(Optional.of(task), CallbackTrigger.taskToDeliver(event));
    }

    @Test
    void aCompletedTaskWithoutACallbackUrlIsLeftToItsStager() {
        assertEquals(Optional.empty(),
                CallbackTrigger.taskToDeliver(changed(task(TaskState.RUNNING, ""), task(TaskState.COMPLETED, ""))));
        assertFalse(CallbackTrigger.awaitsCallback(task(TaskState.COMPLETED, "")));
    }

    @Test
    void movingToResolvingDoesNotCallForDelivery() {
        assertEquals(Optional.empty(), CallbackTrigger.taskToDeliver(
                changed(task(TaskState.COMPLETED, URL), task(TaskState.RESOLVING, URL))));
    }

    @Test
    void tasksNotYetCompletedDoNotCallForDelivery() {
        for (TaskState state : new TaskState[] {TaskState.PENDING, TaskState.CLAIMED, TaskState.RUNNING,
            TaskState.RESOLVING}) {
            assertFalse(CallbackTrigger.awaitsCallback(task(state, URL)), state.name());
            TaskEvent created = TaskEvent.newBuilder().setCreated(TaskCreated.newBuilder().setTask(task(state, URL)))
                    .build();
            assertEquals(Optional.empty(), CallbackTrigger.taskToDeliver(created), state.name());
        }
        assertTrue(CallbackTrigger.awaitsCallback(task(TaskState.COMPLETED, URL)));
    }

    @Test
    void aRemovalOrAnEmptyEventNeverCallsForDelivery() {
        TaskEvent removed = TaskEvent.newBuilder()
                .setRemoved(TaskRemoved.newBuilder().setTask(task(TaskState.COMPLETED, URL))).build();
        assertEquals(Optional.empty(), CallbackTrigger.taskToDeliver(removed));
        assertEquals(Optional.empty(), CallbackTrigger.taskToDeliver(TaskEvent.getDefaultInstance()));
    }
}
