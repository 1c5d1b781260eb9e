package dev.corkboard.stager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corkboard.proto.v1.Command;
import dev.corkboard.proto.v1.ListTasksRequest;
import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskDefinition;
import dev.corkboard.proto.v1.TaskState;
import dev.corkboard.testkit.EtcdExtension;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class StagerClientTest {

    @RegisterExtension
    static final EtcdExtension etcd = EtcdExtension.single();

    static TaskDefinition echo(String word) {
        return TaskDefinition.newBuilder().setCommand(Command.newBuilder().setPath("echo").addArgs(word)).build();
    }

    private LiveBbs bbs;
    private StagerClient client;

    @BeforeEach
    void start() {
        bbs = LiveBbs.start(String.join(",", etcd.endpoints()), 2);
        client = bbs.client();
    }

    @AfterEach
    void stop() {
        client.close();
        bbs.close();
    }

    @Test
    void aDesiredTaskCanBeReadListedAndCancelled() {
        Task desired = client.desire("t-1", "builds", echo("hi"));

        assertEquals(TaskState.PENDING, desired.getState());
        assertEquals(desired, client.get("t-1"));
        assertEquals(List.of("t-1"), client.list(ListTasksRequest.newBuilder().setDomain("builds").build())
                .stream().map(Task::getGuid).toList());

        Task cancelled = client.cancel("t-1");

        assertEquals(TaskState.COMPLETED, cancelled.getState());
        assertTrue(cancelled.getFailed());
        assertEquals("task was cancelled", cancelled.getFailureReason());
    }

    @Test
    void repeatingADesireWithTheSameDefinitionSucceedsAndAnotherDefinitionIsRefused() {
        Task first = client.desire("t-2", "builds", echo("hi"));

        assertEquals(first, client.desire("t-2", "builds", echo("hi")));
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> client.desire("t-2", "builds", echo("bye")));
        assertEquals(Status.Code.ALREADY_EXISTS, e.getStatus().getCode());
    }

    @Test
    void aMissingTaskIsNotFoundAndABadGuidNamesTheField() {
        assertEquals(Status.Code.NOT_FOUND,
                assertThrows(StatusRuntimeException.class, () -> client.get("nope")).getStatus().getCode());

        StatusRuntimeException bad = assertThrows(StatusRuntimeException.class, () -> client.get("no spaces"));
        assertEquals(Status.Code.INVALID_ARGUMENT, bad.getStatus().getCode());
        assertTrue(bad.getStatus().getDescription().contains("guid"), bad.getStatus().getDescription());
    }

    @Test
    void listingReadsEveryPage() {
        for (int i = 0; i < 25; i++) {
            client.desire("paged-" + i, "paging", echo("x"));
        }

        List<Task> all = client.list(ListTasksRequest.newBuilder().setDomain("paging").setPageSize(10).build());

        assertEquals(25, all.size());
        assertEquals(25, all.stream().map(Task::getGuid).distinct().count());
    }

    @Test
    void callsGoOnWhileOneReplicaIsDown() throws Exception {
        int nothingListens;
        try (ServerSocket socket = new ServerSocket(0)) {
            nothingListens = socket.getLocalPort();
        }
        try (StagerClient failingOver = StagerClient.connect(
                BbsEndpoints.parse("127.0.0.1:" + nothingListens + "," + bbs.endpoints()))) {
            bbs.stop(0);
            for (int i = 0; i < 20; i++) {
                failingOver.desire("failover-" + i, "builds", echo("x"));
            }

            assertEquals(20, failingOver.list(ListTasksRequest.newBuilder().setDomain("builds").build()).size());
        }
    }

    @Test
    void noReplicaAnsweringFailsTheCallAtItsTimeout() {
        bbs.stop(0);
        bbs.stop(1);

        try (StagerClient impatient = StagerClient.connect(bbs.bbsEndpoints(), Optional.empty(),
                Duration.ofMillis(500))) {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> impatient.get("t-1"));

            assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode(), e.getStatus().toString());
        }
    }

    @Test
    void aCallWaitsForAReplicaThatComesBackWithinTheCallTimeout() {
        client.desire("t-9", "builds", echo("x"));
        bbs.stop(0);
        bbs.stop(1);
        bbs.restart(1);

        assertEquals("t-9", client.get("t-9").getGuid());
    }
}
