package dev.corkboard.bbs.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.corkboard.bbs.state.Call;
import dev.corkboard.bbs.state.TaskError;
import dev.corkboard.bbs.state.TaskException;
import dev.corkboard.proto.v1.TaskState;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** The one mapping from task errors to gRPC statuses, checked for every error the state machine can produce. */
class ErrorStatusTest {

    private static final List<TaskError> ONE_OF_EACH = List.of(
            new TaskError.NotFound("t1"),
            new TaskError.AlreadyExists("t1"),
            new TaskError.InvalidTransition("t1", TaskState.PENDING, "RESOLVING", Call.RESOLVING),
            new TaskError.OwnedByAnotherExecutor("t1", "cell-1", "cell-2", Call.START),
            new TaskError.InvalidRequest("guid", "is required"),
            new TaskError.CorruptRecord("t1", "truncated"),
            new TaskError.Unavailable("etcd did not answer"),
            new TaskError.NotTheCaller("cell-1", "cell-2"));

    @Test
    void everyKindOfTaskErrorHasAStatusAndAStableName() {
        Set<Class<?>> covered = new HashSet<>();
        for (TaskError error : ONE_OF_EACH) {
            covered.add(error.getClass());
            assertNotEquals(Status.Code.UNKNOWN, ErrorStatus.of(error).getCode());
        }
        assertEquals(Set.of(TaskError.class.getPermittedSubclasses()), covered,
                "a new TaskError needs a status in ErrorStatus and an entry here");
    }

    @Test
    void eachErrorMapsToItsCode() {
        List<Status.Code> codes = ONE_OF_EACH.stream().map(error -> ErrorStatus.of(error).getCode()).toList();
        assertEquals(List.of(Status.Code.NOT_FOUND, Status.Code.ALREADY_EXISTS, Status.Code.FAILED_PRECONDITION,
                Status.Code.FAILED_PRECONDITION, Status.Code.INVALID_ARGUMENT, Status.Code.DATA_LOSS,
                Status.Code.UNAVAILABLE, Status.Code.PERMISSION_DENIED), codes);
        assertEquals(List.of("not_found", "already_exists", "invalid_transition", "owned_by_another_executor",
                "invalid_request", "corrupt_record", "unavailable", "not_the_caller"),
                ONE_OF_EACH.stream().map(ErrorStatus::name).toList());
    }

    @Test
    void aRefusalWrappedByAFutureIsStillMappedByItsError() {
        StatusRuntimeException e = ErrorStatus.exception(
                new CompletionException(new TaskException(new TaskError.NotFound("t1"))), "t1");
        assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
    }

    @Test
    void anUnexpectedFailureIsInternalWithoutItsDetail() {
        StatusRuntimeException e = ErrorStatus.exception(new IllegalStateException("secret detail"), "t1");
        assertEquals(Status.Code.INTERNAL, e.getStatus().getCode());
        assertFalse(e.getStatus().getDescription().contains("secret"), e.getStatus().getDescription());
    }
}
