package dev.corkboard.executor.agent;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.corkboard.proto.v1.RejectTaskRequest;
import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskServiceGrpc;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A task the BBS gives this executor again while the earlier attempt of it here is still winding down (its claim was
 * taken back meanwhile), against a BBS the agent reaches through a proxy that can fail chosen calls.
 */
class TaskGivenBackTest {

    @RegisterExtension
    static final LiveCluster live = LiveCluster.withBbsReplicas(1);

    private Path dir;

    private AgentCluster cluster;
    private BbsFaultProxy proxy;

    @BeforeEach
    void start() {
        cluster = live.cluster();
        dir = live.dir();
        proxy = new BbsFaultProxy(cluster.bbsEndpoint());
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
    }

    @Test
    void aTaskGivenBackWhileItsEarlierAttemptWindsDownRunsAndSucceeds() {
        ExecutorAgent agent = cluster.startAgent("cell-1", "--bbs=" + proxy.endpoint(), "--call-timeout=1s");
        proxy.unreachable("StartTask");
        cluster.desire("back", AgentCluster.shell("true"));
        await().atMost(Duration.ofSeconds(20)).until(() -> agent.running().contains("back"));

        // the claim goes back to Pending (as the converger's claim timeout does) while the first attempt still
        // retries StartTask; a BBS answers again, and this executor is offered the task again at once
        tasks().rejectTask(RejectTaskRequest.newBuilder().setGuid("back").setExecutorId("cell-1")
                .setReason("claim timed out").build());
        proxy.reachable("StartTask");

        Task done = cluster.awaitCompleted("back", Duration.ofSeconds(20));
        assertFalse(done.getFailed(), done.getFailureReason());
        assertEquals(1, done.getRejectionCount(), done.getRejectionReason());
    }

    @Test
    void aStartTaskRefusedForAnotherReasonThanOwnershipGivesTheTaskBack() {
        ExecutorAgent agent = cluster.startAgent("cell-1", "--bbs=" + proxy.endpoint());
        proxy.refuse("StartTask", io.grpc.Status.INTERNAL.withDescription("broken replica"));
        cluster.desire("refused-start", AgentCluster.shell("true"));

        await().atMost(Duration.ofSeconds(20)).until(() -> cluster.client().get("refused-start")
                .getRejectionCount() >= 1);
        Task rejected = cluster.client().get("refused-start");
        assertEquals("StartTask refused: INTERNAL broken replica", rejected.getRejectionReason());
        await().atMost(Duration.ofSeconds(5)).until(() -> !agent.running().contains("refused-start"));
    }

    private TaskServiceGrpc.TaskServiceBlockingStub tasks() {
        return TaskServiceGrpc.newBlockingStub(cluster.client().channel()).withDeadlineAfter(10, TimeUnit.SECONDS);
    }
}
