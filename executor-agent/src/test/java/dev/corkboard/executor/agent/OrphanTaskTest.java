package dev.corkboard.executor.agent;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corkboard.proto.v1.ClaimTaskRequest;
import dev.corkboard.proto.v1.StartTaskRequest;
import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskServiceGrpc;
import dev.corkboard.proto.v1.TaskState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Tasks the BBS counts as this executor's but that never reached it (a ClaimNext answer lost with its replica) are
 * settled by the running agent instead of waiting for the converger.
 */
class OrphanTaskTest {

    @RegisterExtension
    static final LiveCluster live = LiveCluster.withBbsReplicas(1);

    private Path dir;

    private AgentCluster cluster;

    @BeforeEach
    void start() {
        cluster = live.cluster();
        dir = live.dir();
    }


    @Test
    void aClaimThatNeverReachedTheAgentGoesBackToPending() {
        cluster.startAgent("cell-1");
        // a tag the agent lacks: only the claim below, as if a lost ClaimNext had made it, ties the task to cell-1
        cluster.desire("lost-claim", AgentCluster.shell("true").toBuilder().addPlacementTags("gpu").build());

        tasks().claimTask(ClaimTaskRequest.newBuilder().setGuid("lost-claim").setExecutorId("cell-1").build());

        await().atMost(Duration.ofSeconds(20)).until(() -> cluster.client().get("lost-claim").getState()
                == TaskState.PENDING);
        Task pending = cluster.client().get("lost-claim");
        assertEquals(1, pending.getRejectionCount());
        assertEquals(OrphanWatch.NEVER_RECEIVED, pending.getRejectionReason());
    }

    @Test
    void aTaskRunningForTheAgentButNowhereOnItFailsWithAReason() {
        cluster.startAgent("cell-1");
        cluster.desire("lost-run", AgentCluster.shell("true").toBuilder().addPlacementTags("gpu").build());

        tasks().claimTask(ClaimTaskRequest.newBuilder().setGuid("lost-run").setExecutorId("cell-1").build());
        tasks().startTask(StartTaskRequest.newBuilder().setGuid("lost-run").setExecutorId("cell-1")
                .setContainerHandle("nowhere").build());

        Task done = cluster.awaitCompleted("lost-run", Duration.ofSeconds(20));
        assertTrue(done.getFailed());
        assertEquals(OrphanWatch.LOST_TRACK, done.getFailureReason());
    }

    private TaskServiceGrpc.TaskServiceBlockingStub tasks() {
        return TaskServiceGrpc.newBlockingStub(cluster.client().channel()).withDeadlineAfter(10, TimeUnit.SECONDS);
    }
}
