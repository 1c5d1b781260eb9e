package dev.corkboard.executor.agent;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.corkboard.proto.v1.ExecutorServiceGrpc;
import dev.corkboard.proto.v1.ExecutorStatus;
import dev.corkboard.proto.v1.ListExecutorsRequest;
import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** An agent talking to two BBS replicas keeps its presence and its work when one of them dies. */
class BbsFailoverTest {

    @RegisterExtension
    static final LiveCluster live = LiveCluster.withBbsReplicas(2);

    private Path dir;

    private AgentCluster cluster;

    @BeforeEach
    void start() {
        cluster = live.cluster();
        dir = live.dir();
    }


    @Test
    void theAgentKeepsItsPresenceAndFinishesItsTaskWhenOneReplicaDies() {
        cluster.startAgent("cell-1");
        cluster.desire("before", AgentCluster.shell("while [ ! -e /task/go ]; do sleep 0.05; done; echo done"));
        await().atMost(Duration.ofSeconds(20)).until(() -> cluster.client().get("before").getState()
                == TaskState.RUNNING);
        long registeredAt = presences().get(0).getPresence().getRegisteredAtMs();

        cluster.stopBbs(0);
        release("before");

        Task done = cluster.awaitCompleted("before", Duration.ofSeconds(30));
        assertFalse(done.getFailed(), done.getFailureReason());
        cluster.desire("after", AgentCluster.shell("true"));
        assertFalse(cluster.awaitCompleted("after", Duration.ofSeconds(30)).getFailed());
        // for two TTLs without the first replica the presence stays, renewed through the second on the same lease
        await().during(Duration.ofSeconds(2L * AgentCluster.EXECUTOR_TTL_SECONDS))
                .atMost(Duration.ofSeconds(3L * AgentCluster.EXECUTOR_TTL_SECONDS))
                .until(() -> {
                    List<ExecutorStatus> present = presences();
                    return present.size() == 1 && present.get(0).getPresence().getRegisteredAtMs() == registeredAt;
                });
    }

    private List<ExecutorStatus> presences() {
        return ExecutorServiceGrpc.newBlockingStub(cluster.client().channel())
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .listExecutors(ListExecutorsRequest.getDefaultInstance()).getExecutorsList();
    }

    private void release(String guid) {
        try {
            java.nio.file.Files.writeString(dir.resolve("cell-1").resolve("containers")
                    .resolve(dev.corkboard.executor.runtime.RuntimeSettings.ownerPrefixFor("cell-1") + guid)
                    .resolve("task").resolve("go"), "");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
