package dev.corkboard.bbs.server;

import static dev.corkboard.bbs.server.BbsFixture.refusal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.corkboard.proto.v1.ClaimTaskRequest;
import dev.corkboard.proto.v1.DesireTaskRequest;
import dev.corkboard.proto.v1.ListTasksRequest;
import dev.corkboard.proto.v1.TaskDefinition;
import dev.corkboard.proto.v1.TaskServiceGrpc;
import dev.corkboard.proto.v1.WatchTasksRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Malformed requests are INVALID_ARGUMENT naming the field, and leave etcd exactly as it was. */
class InvalidRequestsTest {

    @RegisterExtension
    static final BbsExtension bbs = new BbsExtension();

    interface Call {
        Object on(TaskServiceGrpc.TaskServiceBlockingStub tasks);
    }

    static Stream<Arguments> badRequests() {
        String big = "x".repeat(300 * 1024);
        return Stream.of(
                Arguments.of("guid", (Call) tasks -> tasks.desireTask(BbsFixture.desire("no/slashes"))),
                Arguments.of("guid", (Call) tasks -> tasks.desireTask(BbsFixture.desire(""))),
                Arguments.of("domain", (Call) tasks -> tasks.desireTask(BbsFixture.desire("t9").toBuilder()
                        .setDomain("").build())),
                Arguments.of("definition", (Call) tasks -> tasks.desireTask(BbsFixture.desire("t9").toBuilder()
                        .setDefinition(TaskDefinition.newBuilder(BbsFixture.definition())
                                .addPlacementTags(big)).build())),
                Arguments.of("definition.command.path", (Call) tasks -> tasks.desireTask(DesireTaskRequest
                        .newBuilder().setGuid("t9").setDomain("d").setDefinition(TaskDefinition.newBuilder()
                                .setTimeoutMs(1)).build())),
                Arguments.of("executor_id", (Call) tasks -> tasks.claimTask(ClaimTaskRequest.newBuilder()
                        .setGuid("t1").setExecutorId("bad id").build())),
                Arguments.of("state", (Call) tasks -> tasks.listTasks(ListTasksRequest.newBuilder()
                        .setStateValue(42).build())),
                Arguments.of("page_size", (Call) tasks -> tasks.listTasks(ListTasksRequest.newBuilder()
                        .setPageSize(-1).build())),
                Arguments.of("page_token", (Call) tasks -> tasks.listTasks(ListTasksRequest.newBuilder()
                        .setPageToken("garbage").build())),
                Arguments.of("after_revision", (Call) tasks -> tasks.watchTasks(WatchTasksRequest.newBuilder()
                        .setAfterRevision(-5).build()).hasNext()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRequests")
    void aBadFieldIsInvalidArgumentNamingItAndChangesNothing(String field, Call call) {
        BbsFixture f = bbs.fixture();
        f.desired("t1");
        List<String> keysBefore = f.etcdKeys();

        StatusRuntimeException e = refusal(() -> call.on(f.tasks));

        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getStatus().toString());
        assertEquals(field, e.getTrailers().get(ErrorStatus.FIELD_KEY));
        assertTrue(e.getStatus().getDescription().contains(field), e.getStatus().getDescription());
        assertEquals(keysBefore, f.etcdKeys());
        assertEquals(1, f.listAll().size());
    }

    @Test
    void aMessageOverTheInboundLimitIsRefusedBeforeItReachesTheStore() {
        BbsFixture f = bbs.fixture();
        ByteString twoMiB = ByteString.copyFrom(new byte[2 * 1024 * 1024]);
        DesireTaskRequest huge = BbsFixture.desire("huge").toBuilder()
                .setDefinition(TaskDefinition.newBuilder(BbsFixture.definition())
                        .setAnnotation(twoMiB.toStringUtf8()))
                .build();
        Supplier<?> call = () -> f.tasks.desireTask(huge);

        StatusRuntimeException e = refusal(call);

        assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("1048576"), e.getStatus().getDescription());
        assertEquals(List.of(), f.etcdKeys());
    }
}
