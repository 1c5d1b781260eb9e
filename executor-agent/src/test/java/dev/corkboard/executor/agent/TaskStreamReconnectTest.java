package dev.corkboard.executor.agent;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The agent's stream of its tasks, reconnecting through a proxy that breaks it. */
class TaskStreamReconnectTest {

    private static final String WATCH = "WatchExecutorTasks";

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
    void aStreamThatBreaksRightAfterEachSnapshotIsReconnectedWithGrowingBackoff() {
        proxy.breakAfterFirstAnswer(WATCH);
        cluster.startAgent("cell-1", "--bbs=" + proxy.endpoint());
        await().atMost(Duration.ofSeconds(10)).until(() -> proxy.calls(WATCH) >= 1);
        int first = proxy.calls(WATCH);

        // each reconnect costs the BBS a snapshot of this executor's tasks: backing off from 100 ms and doubling,
        // at most 6 reconnects fit in 3 s (not one every 100 ms because every stream delivered its snapshot)
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(4))
                .untilAsserted(() -> assertTrue(proxy.calls(WATCH) - first <= 6,
                        (proxy.calls(WATCH) - first) + " reconnects"));
    }
}
