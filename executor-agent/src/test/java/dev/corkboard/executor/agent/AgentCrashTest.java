package dev.corkboard.executor.agent;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corkboard.executor.runtime.RuntimeSettings;
import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** An agent JVM killed with SIGKILL while its task runs, and what the next start of the agent does about it. */
class AgentCrashTest {

    @RegisterExtension
    static final LiveCluster live = LiveCluster.withBbsReplicas(1);

    private Path dir;

    private AgentCluster cluster;
    private Process child;

    @BeforeEach
    void start() {
        cluster = live.cluster();
        dir = live.dir();
    }

    @AfterEach
    void stop() {
        if (child != null) {
            child.destroyForcibly();
        }
    }

    @Test
    void afterAKillNineTheRestartedAgentLeavesNothingOfTheTaskAndFailsIt() throws Exception {
        child = launch(cluster.agentArguments("crash-1"));
        cluster.desire("crashed", AgentCluster.shell("exec sleep 987653"));
        await().atMost(Duration.ofSeconds(60)).until(() -> ExecutorAgentTest.processRunning("sleep 987653")
                && cluster.client().get("crashed").getState() == TaskState.RUNNING);
        String handle = cluster.client().get("crashed").getContainerHandle();
        assertEquals(RuntimeSettings.ownerPrefixFor("crash-1") + "crashed", handle);

        child.destroyForcibly().waitFor();
        cluster.startAgent("crash-1");

        Task done = cluster.awaitCompleted("crashed", Duration.ofSeconds(20));
        assertTrue(done.getFailed());
        assertEquals(ExecutorAgent.LOST_ON_RESTART, done.getFailureReason());
        assertFalse(ExecutorAgentTest.processRunning("sleep 987653"), "no process of the task is left");
        assertEquals(List.of(), cgroupsNamed(handle), "no cgroup of the task is left");
        assertFalse(Files.exists(dir.resolve("crash-1").resolve("containers").resolve(handle)),
                "no task directory is left");
    }

    @Test
    void sigtermDrainsThenStopsTheTaskAsShuttingDownRemovesThePresenceAndExits143() throws Exception {
        child = launch(cluster.agentArguments("term-1", "--drain-timeout=500ms"));
        cluster.desire("drained", AgentCluster.shell("exec sleep 987655"));
        await().atMost(Duration.ofSeconds(60)).until(() -> ExecutorAgentTest.processRunning("sleep 987655")
                && cluster.client().get("drained").getState() == TaskState.RUNNING);

        child.destroy();

        assertTrue(child.waitFor(30, java.util.concurrent.TimeUnit.SECONDS), "the agent exits after its drain");
        assertEquals(143, child.exitValue());
        Task done = cluster.client().get("drained");
        assertEquals(TaskState.COMPLETED, done.getState());
        assertEquals(ExecutorAgent.SHUTTING_DOWN, done.getFailureReason());
        assertFalse(ExecutorAgentTest.processRunning("sleep 987655"));
        assertEquals(0, dev.corkboard.proto.v1.ExecutorServiceGrpc.newBlockingStub(cluster.client().channel())
                .withDeadlineAfter(10, java.util.concurrent.TimeUnit.SECONDS)
                .listExecutors(dev.corkboard.proto.v1.ListExecutorsRequest.getDefaultInstance()).getExecutorsCount());
    }

    /** Every cgroup directory named {@code handle}, under any controller's Corkboard root (v1) or the v2 root. */
    static List<Path> cgroupsNamed(String handle) throws IOException {
        List<Path> found = new ArrayList<>();
        Path cgroups = Path.of("/sys/fs/cgroup");
        try (Stream<Path> controllers = Files.list(cgroups)) {
            for (Path controller : controllers.toList()) {
                for (Path candidate : List.of(controller.resolve("corkboard").resolve(handle),
                        controller.resolve(handle))) {
                    if (Files.isDirectory(candidate)) {
                        found.add(candidate);
                    }
                }
            }
        }
        if (Files.isDirectory(cgroups.resolve("corkboard").resolve(handle))) {
            found.add(cgroups.resolve("corkboard").resolve(handle));
        }
        return found;
    }

    private Process launch(List<String> arguments) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"),
                ExecutorMain.class.getName()));
        command.addAll(arguments);
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("agent-" + System.nanoTime() + ".out").toFile()).start();
    }
}
