package dev.corkboard.bbs.server;

import static dev.corkboard.bbs.server.BbsFixture.refusal;
import static dev.corkboard.bbs.server.TaskServiceCallsTest.claim;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corkboard.proto.v1.CompleteTaskRequest;
import dev.corkboard.proto.v1.GetTaskRequest;
import dev.corkboard.proto.v1.ResolvingTaskRequest;
import dev.corkboard.proto.v1.StartTaskRequest;
import dev.corkboard.proto.v1.TaskDefinition;
import dev.corkboard.proto.v1.TaskState;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Each refusal reaches the caller as its own status code, with a message naming what is wrong. */
class TaskServiceErrorsTest {

    @RegisterExtension
    static final BbsExtension bbs = new BbsExtension();

    @Test
    void claimingAnUnknownTaskIsNotFound() {
        StatusRuntimeException e = refusal(() -> bbs.fixture().tasks.claimTask(claim("nope", "cell-1")));
        assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
        assertEquals("task nope not found", e.getStatus().getDescription());
        assertEquals("not_found", e.getTrailers().get(ErrorStatus.ERROR_KEY));
    }

    @Test
    void desiringATakenGuidWithAnotherDefinitionIsAlreadyExists() {
        BbsFixture f = bbs.fixture();
        f.desired("t1");
        TaskDefinition other = TaskDefinition.newBuilder(BbsFixture.definition()).setTimeoutMs(5).build();
        StatusRuntimeException e = refusal(() -> f.tasks.desireTask(BbsFixture.desire("t1").toBuilder()
                .setDefinition(other).build()));
        assertEquals(Status.Code.ALREADY_EXISTS, e.getStatus().getCode());
        assertEquals(BbsFixture.definition(), f.tasks.getTask(GetTaskRequest.newBuilder().setGuid("t1").build())
                .getTask().getDefinition(), "the first definition stands");
    }

    @Test
    void anIllegalTransitionIsFailedPreconditionNamingBothStates() {
        BbsFixture f = bbs.fixture();
        f.desired("t1");
        StatusRuntimeException e = refusal(() -> f.tasks.resolvingTask(ResolvingTaskRequest.newBuilder()
                .setGuid("t1").build()));
        assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
        String message = e.getStatus().getDescription();
        assertTrue(message.contains("PENDING") && message.contains("RESOLVING"), message);
        assertEquals("invalid_transition", e.getTrailers().get(ErrorStatus.ERROR_KEY));
    }

    @Test
    void anotherExecutorsCallIsFailedPreconditionNamingBothExecutorsAndChangesNothing() {
        BbsFixture f = bbs.fixture();
        f.desired("t1");
        f.tasks.claimTask(claim("t1", "cell-1"));
        StatusRuntimeException e = refusal(() -> f.tasks.startTask(StartTaskRequest.newBuilder().setGuid("t1")
                .setExecutorId("cell-2").setContainerHandle("c").build()));
        assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
        String message = e.getStatus().getDescription();
        assertTrue(message.contains("cell-1") && message.contains("cell-2"), message);
        assertEquals("owned_by_another_executor", e.getTrailers().get(ErrorStatus.ERROR_KEY));
        assertEquals(TaskState.CLAIMED, f.listAll().get(0).getState());
    }

    @Test
    void aCorruptStoredRecordIsDataLoss() {
        BbsFixture f = bbs.fixture();
        f.putRaw("/tasks/broken", "not a protobuf \u0000\u00ff".getBytes(StandardCharsets.ISO_8859_1));
        StatusRuntimeException e = refusal(() -> f.tasks.getTask(GetTaskRequest.newBuilder().setGuid("broken")
                .build()));
        assertEquals(Status.Code.DATA_LOSS, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("broken"), e.getStatus().getDescription());
    }

    @Test
    void completingWithATooLargeResultNamesTheField() {
        BbsFixture f = bbs.fixture();
        f.desired("t1");
        f.tasks.claimTask(claim("t1", "cell-1"));
        StatusRuntimeException e = refusal(() -> f.tasks.completeTask(CompleteTaskRequest.newBuilder().setGuid("t1")
                .setExecutorId("cell-1").setResult("x".repeat(11 * 1024)).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertEquals("result", e.getTrailers().get(ErrorStatus.FIELD_KEY));
        assertEquals(TaskState.CLAIMED, f.listAll().get(0).getState());
    }
}
