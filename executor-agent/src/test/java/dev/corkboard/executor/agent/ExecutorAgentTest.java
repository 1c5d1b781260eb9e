package dev.corkboard.executor.agent;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corkboard.executor.runtime.RuntimeSettings;
import dev.corkboard.proto.v1.ListExecutorsRequest;
import dev.corkboard.proto.v1.ExecutorServiceGrpc;
import dev.corkboard.proto.v1.Resources;
import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** One executor agent running real tasks in real sandboxes, against a BBS on a real etcd. */
class ExecutorAgentTest {

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
    void aTaskReportsItsExitStatusEnvironmentWorkingDirectoryAndResult() {
        cluster.startAgent("cell-1");

        cluster.desire("env-1", AgentCluster.shell("echo \"$GREETING\" > out.txt; pwd >> out.txt; exit 3",
                Map.of("GREETING", "hello sandbox"), "out.txt", Resources.getDefaultInstance()));
        Task done = cluster.awaitCompleted("env-1", Duration.ofSeconds(20));

        assertTrue(done.getFailed());
        assertEquals("exit status 3", done.getFailureReason());
        assertEquals("hello sandbox\n/task\n", done.getResult());
        assertEquals("cell-1", done.getExecutorId());
        assertFalse(done.getContainerHandle().isEmpty());
    }

    @Test
    void aSucceedingTaskCompletesWithItsResultAndReleasesItsCapacity() throws Exception {
        ExecutorAgent agent = cluster.startAgent("cell-1");

        cluster.desire("ok-1", AgentCluster.shell("printf 42 > /task/answer", Map.of(), "answer",
                Resources.getDefaultInstance()));
        Task done = cluster.awaitCompleted("ok-1", Duration.ofSeconds(20));

        assertFalse(done.getFailed(), done.getFailureReason());
        assertEquals("42", done.getResult());
        await().atMost(Duration.ofSeconds(5)).until(() -> agent.running().isEmpty());
    }

    @Test
    void limitsHitInTheSandboxBecomeTheTasksFailureReasons() {
        cluster.startAgent("cell-1");

        cluster.desire("oom", AgentCluster.shell("head -c 200M /dev/zero | tail", Map.of(), "",
                Resources.newBuilder().setMemoryMb(32).build()));
        cluster.desire("slow", AgentCluster.shell("exec sleep 987654").toBuilder().setTimeoutMs(300).build());

        assertEquals("out of memory (limit 32 MB)", cluster.awaitCompleted("oom", Duration.ofSeconds(30))
                .getFailureReason());
        assertEquals("timed out after 300ms", cluster.awaitCompleted("slow", Duration.ofSeconds(30))
                .getFailureReason());
    }

    @Test
    void theProcessRuntimeRunsTasksInTheirTaskDirectoryAndTakesNoneThatNeedsTheSandbox() {
        cluster.startAgent("cell-1", "--runtime=process");

        cluster.desire("sandboxed", AgentCluster.shell("true").toBuilder().setRuntime("sandbox").build());
        cluster.desire("plain", AgentCluster.shell("echo \"$GREETING\" > out.txt; pwd >> out.txt",
                Map.of("GREETING", "hello process"), "out.txt", Resources.getDefaultInstance()).toBuilder()
                .setRuntime("process").build());
        Task done = cluster.awaitCompleted("plain", Duration.ofSeconds(20));

        assertFalse(done.getFailed(), done.getFailureReason());
        Path taskDir = dir.resolve("cell-1").resolve("containers").resolve(RuntimeSettings.ownerPrefixFor("cell-1")
                + "plain").resolve("task");
        assertEquals("hello process\n" + taskDir + "\n", done.getResult());
        assertEquals(TaskState.PENDING, cluster.client().get("sandboxed").getState());
    }

    @Test
    void anExecutorWithRoomForTwoNeverRunsThreeAtOnce() {
        ExecutorAgent agent = cluster.startAgent("cell-1", "--containers=2");
        AtomicInteger most = new AtomicInteger();
        AtomicBoolean sampling = new AtomicBoolean(true);
        Thread sampler = new Thread(() -> {
            while (sampling.get()) {
                most.accumulateAndGet(agent.running().size(), Math::max);
                Thread.onSpinWait();
            }
        });
        sampler.start();
        try {
            for (int i = 0; i < 5; i++) {
                cluster.desire("cap-" + i, AgentCluster.shell("sleep 0.5"));
            }
            for (int i = 0; i < 5; i++) {
                Task done = cluster.awaitCompleted("cap-" + i, Duration.ofSeconds(30));
                assertFalse(done.getFailed(), done.getFailureReason());
            }
        } finally {
            sampling.set(false);
        }
        assertEquals(2, most.get(), "at most two tasks at once, and two did run together");
    }

    @Test
    void aTaskNeedingMoreMemoryThanTheExecutorHasStaysPending() {
        cluster.startAgent("cell-1", "--memory-mb=512");

        cluster.desire("big", AgentCluster.shell("true", Map.of(), "", Resources.newBuilder().setMemoryMb(4096)
                .build()));
        cluster.desire("small", AgentCluster.shell("true", Map.of(), "", Resources.newBuilder().setMemoryMb(64)
                .build()));
        cluster.awaitCompleted("small", Duration.ofSeconds(20));

        assertEquals(TaskState.PENDING, cluster.client().get("big").getState());
    }

    @Test
    void aRunningTaskStopsWithinASecondOfItsCancellation() {
        ExecutorAgent agent = cluster.startAgent("cell-1");
        cluster.desire("cancel-1", AgentCluster.shell("exec sleep 987651"));
        await().atMost(Duration.ofSeconds(20)).until(() -> processRunning("sleep 987651"));

        cluster.client().cancel("cancel-1");

        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20))
                .until(() -> !processRunning("sleep 987651"));
        await().atMost(Duration.ofSeconds(5)).until(() -> agent.running().isEmpty());
        Task cancelled = cluster.client().get("cancel-1");
        assertEquals("task was cancelled", cancelled.getFailureReason());
    }

    @Test
    void aResultIsSpooledWhileNoBbsAnswersAndDeliveredOnceWhenOneIsBack() {
        cluster.startAgent("cell-1", "--call-timeout=1s");
        cluster.desire("spool-1", AgentCluster.shell("while [ ! -s /task/go ]; do sleep 0.05; done; cat /task/go > r", Map.of(), "r",
                Resources.getDefaultInstance()));
        await().atMost(Duration.ofSeconds(20)).until(() -> cluster.client().get("spool-1").getState()
                == TaskState.RUNNING);
        Path spool = dir.resolve("cell-1").resolve("spool");

        cluster.stopBbs();
        release(dir.resolve("cell-1"), "spool-1", "finished while the BBS was away");
        await().atMost(Duration.ofSeconds(30)).until(() -> java.nio.file.Files.exists(spool.resolve(
                "spool-1.result")));
        cluster.startBbs();

        Task done = cluster.awaitCompleted("spool-1", Duration.ofSeconds(30));
        assertFalse(done.getFailed(), done.getFailureReason());
        assertEquals("finished while the BBS was away\n", done.getResult());
        await().atMost(Duration.ofSeconds(10)).until(() -> !java.nio.file.Files.exists(spool.resolve(
                "spool-1.result")));
        assertEquals(1.0, cluster.bbs().registry().find("corkboard.store.transitions").tag("call", "complete")
                .tag("outcome", "applied").counter().count());
    }

    @Test
    void closingDrainsAndThenStopsRunningTasksAsShuttingDown() {
        ExecutorAgent agent = cluster.startAgent("cell-1", "--drain-timeout=500ms");
        cluster.desire("drain-1", AgentCluster.shell("exec sleep 987652"));
        await().atMost(Duration.ofSeconds(20)).until(() -> processRunning("sleep 987652"));

        agent.close();

        Task done = cluster.client().get("drain-1");
        assertEquals(TaskState.COMPLETED, done.getState());
        assertEquals(ExecutorAgent.SHUTTING_DOWN, done.getFailureReason());
        assertFalse(processRunning("sleep 987652"));
        var executors = ExecutorServiceGrpc.newBlockingStub(cluster.client().channel())
                .listExecutors(ListExecutorsRequest.getDefaultInstance());
        assertEquals(0, executors.getExecutorsCount(), "the presence is removed on shutdown");
    }

    /** Whether a process whose command line contains {@code marker} runs on this host. */
    static boolean processRunning(String marker) {
        return ProcessHandle.allProcesses().anyMatch(p -> p.info().commandLine().map(c -> c.contains(marker))
                .orElse(false));
    }

    /** Writes the file a task waits for into its task directory. */
    private static void release(Path agentDir, String guid, String line) {
        try {
            Path taskDir = agentDir.resolve("containers").resolve(RuntimeSettings.ownerPrefixFor("cell-1") + guid)
                    .resolve("task");
            java.nio.file.Files.writeString(taskDir.resolve("go.tmp"), line + "\n");
            java.nio.file.Files.move(taskDir.resolve("go.tmp"), taskDir.resolve("go"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
