package dev.corkboard.executor.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corkboard.proto.v1.Task;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Two agents taking work from one BBS: every task runs, on exactly one of them, once. */
class TwoExecutorsTest {

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
    void everyTaskRunsOnceOnOneExecutor() throws IOException {
        cluster.startAgent("cell-1", "--containers=2");
        cluster.startAgent("cell-2", "--containers=2");
        int tasks = 30;
        for (int i = 0; i < tasks; i++) {
            cluster.desire("t-" + i, AgentCluster.shell("echo ran; sleep 0.1"));
        }

        Map<String, Integer> byExecutor = new HashMap<>();
        for (int i = 0; i < tasks; i++) {
            Task done = cluster.awaitCompleted("t-" + i, Duration.ofSeconds(60));
            assertFalse(done.getFailed(), done.getGuid() + ": " + done.getFailureReason());
            byExecutor.merge(done.getExecutorId(), 1, Integer::sum);
        }

        assertEquals(2, byExecutor.size(), "both executors took work: " + byExecutor);
        List<String> logged = new ArrayList<>();
        for (String executor : List.of("cell-1", "cell-2")) {
            try (Stream<Path> logs = Files.list(dir.resolve(executor).resolve("logs"))) {
                List<String> ran = logs.map(path -> path.getFileName().toString()).filter(n -> n.endsWith(".log"))
                        .toList();
                assertEquals(byExecutor.get(executor).intValue(), ran.size(), executor + " ran " + ran);
                logged.addAll(ran);
            }
        }
        assertEquals(tasks, logged.size());
        assertEquals(tasks, logged.stream().distinct().count(), "no task ran on both executors");
        for (int i = 0; i < tasks; i++) {
            assertTrue(logged.contains("t-" + i + ".log"));
        }
    }
}
