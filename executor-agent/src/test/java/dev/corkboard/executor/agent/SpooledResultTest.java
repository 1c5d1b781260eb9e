package dev.corkboard.executor.agent;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.corkboard.executor.runtime.RuntimeSettings;
import dev.corkboard.proto.v1.RejectTaskRequest;
import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskServiceGrpc;
import dev.corkboard.proto.v1.TaskState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Results waiting in the spool, against a BBS the agent reaches through a proxy that can fail chosen calls. */
class SpooledResultTest {

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
    void aSpooledResultOfAnEarlierAttemptNeverCompletesTheTaskRunningAgainHere() {
        ExecutorAgent agent = cluster.startAgent("cell-1", "--bbs=" + proxy.endpoint(), "--call-timeout=1s");
        Path spooled = dir.resolve("cell-1").resolve("spool").resolve("again.result");
        proxy.unreachable("StartTask", "CompleteTask");

        // the first attempt: no BBS takes its StartTask, and its failure waits in the spool while the task is Claimed
        cluster.desire("again", AgentCluster.shell("while [ ! -e /task/go ]; do sleep 0.05; done"));
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(spooled));
        assertEquals(TaskState.CLAIMED, cluster.client().get("again").getState());
        // the claim goes back to Pending (as the converger's claim timeout does), and this executor claims it again
        tasks().rejectTask(RejectTaskRequest.newBuilder().setGuid("again").setExecutorId("cell-1")
                .setReason("claim timed out").build());
        proxy.reachable("StartTask");
        await().atMost(Duration.ofSeconds(20)).until(() -> cluster.client().get("again").getState()
                == TaskState.RUNNING && agent.running().contains("again"));

        // a BBS takes results again: the first attempt's failure must not complete the second attempt
        proxy.reachable("CompleteTask");
        await().atMost(Duration.ofSeconds(20)).until(() -> !Files.exists(spooled));
        Task meanwhile = cluster.client().get("again");
        assertEquals(TaskState.RUNNING, meanwhile.getState(), meanwhile.getFailureReason());
        release("again");

        Task done = cluster.awaitCompleted("again", Duration.ofSeconds(20));
        assertFalse(done.getFailed(), done.getFailureReason());
    }

    private TaskServiceGrpc.TaskServiceBlockingStub tasks() {
        return TaskServiceGrpc.newBlockingStub(cluster.client().channel()).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    private void release(String guid) {
        try {
            Files.writeString(dir.resolve("cell-1").resolve("containers")
                    .resolve(RuntimeSettings.ownerPrefixFor("cell-1") + guid).resolve("task").resolve("go"), "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
