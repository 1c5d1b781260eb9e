package dev.corkboard.executor.runtime;

import static dev.corkboard.executor.runtime.RuntimeFixture.read;
import static dev.corkboard.executor.runtime.RuntimeFixture.run;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SandboxRuntimeTest {

    @TempDir
    Path workDir;

    RuntimeFixture fixture;
    ContainerRuntime runtime;
    final CapturedOutput output = new CapturedOutput();

    @BeforeEach
    void openRuntime() {
        fixture = new RuntimeFixture(workDir, "sandbox");
        runtime = fixture.runtime;
    }

    @AfterEach
    void destroyEverything() {
        fixture.close();
    }

    private ExitOutcome runToEnd(SpecBuilder spec) throws Exception {
        try (Container container = runtime.create(spec.build())) {
            return run(container, output).get(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void exitStatusAndOutputLinesReachTheSink() throws Exception {
        ExitOutcome outcome = runToEnd(SpecBuilder.shell(fixture.handle(), "echo one; echo two >&2; echo three; exit 3"));

        assertEquals(new ExitOutcome.Exited(3), outcome);
        assertEquals(List.of("one", "three"), output.stdout());
        assertEquals(List.of("two"), output.stderr());
    }

    @Test
    void environmentAndWorkingDirectoryAreAsGivenAndNothingElse() throws Exception {
        Container container = runtime.create(SpecBuilder.shell(fixture.handle(),
                "{ pwd; echo \"$GREETING\"; echo \"$HOME\"; echo \"$TMPDIR\"; env; } > /task/result.txt")
                .env("GREETING", "hello world").dir("sub").build());
        Files.createDirectory(container.hostPath("/task/sub").orElseThrow());

        assertEquals(new ExitOutcome.Exited(0), run(container, output).get(60, TimeUnit.SECONDS));

        List<String> result = read(container, "result.txt").lines().toList();
        assertEquals(List.of("/task/sub", "hello world", "/task", "/tmp"), result.subList(0, 4));
        assertEquals(List.of("GREETING=hello world", "HOME=/task", "PATH=/usr/local/bin:/usr/bin:/bin", "PWD=/task/sub",
                "TMPDIR=/tmp"), result.subList(4, result.size()).stream().sorted().toList());
        container.close();
    }

    @Test
    void memoryAboveTheLimitIsOutOfMemory() throws Exception {
        ExitOutcome outcome = runToEnd(SpecBuilder.shell(fixture.handle(), "head -c 200M /dev/zero | tail")
                .memoryMb(32));

        assertEquals(new ExitOutcome.OutOfMemory(32), outcome);
    }

    @Test
    void forkLoopHitsThePidsLimit() throws Exception {
        ExitOutcome outcome = runToEnd(SpecBuilder.shell(fixture.handle(), "while true; do sleep 10 & done")
                .maxPids(16));

        assertTrue(outcome instanceof ExitOutcome.PidsLimit limit && limit.maxPids() == 16, outcome::toString);
    }

    @Test
    void runningPastTheTimeoutIsTimedOutPromptly() throws Exception {
        Container container = runtime.create(SpecBuilder.command(fixture.handle(), "sleep", "1000")
                .timeout(Duration.ofMillis(300)).build());

        CompletableFuture<ExitOutcome> outcome = run(container, output);

        await().atMost(Duration.ofSeconds(5)).until(outcome::isDone);
        assertEquals(new ExitOutcome.TimedOut(Duration.ofMillis(300)), outcome.get());
    }

    @Test
    void withoutNetworkOnlyLoopbackExists() throws Exception {
        ExitOutcome outcome = runToEnd(SpecBuilder.command(fixture.handle(), "cat", "/proc/net/dev"));

        assertEquals(new ExitOutcome.Exited(0), outcome);
        assertEquals(List.of("lo"), interfaces(output.stdout()));
    }

    @Test
    void withNetworkTheTaskSharesTheHostsInterfacesAndResolver() throws Exception {
        List<String> hostInterfaces = interfaces(Files.readAllLines(Path.of("/proc/net/dev")));

        ExitOutcome outcome = runToEnd(SpecBuilder.shell(fixture.handle(),
                "cat /proc/net/dev; [ -e /etc/resolv.conf ] || echo no-resolver").network(true));

        assertEquals(new ExitOutcome.Exited(0), outcome);
        assertEquals(hostInterfaces, interfaces(output.stdout()));
        assertFalse(Files.exists(Path.of("/etc/resolv.conf")) ^ !output.stdout().contains("no-resolver"));
    }

    private static List<String> interfaces(List<String> procNetDev) {
        return procNetDev.stream().filter(line -> line.contains(":"))
                .map(line -> line.substring(0, line.indexOf(':')).trim()).sorted().toList();
    }

    @Test
    void hostOutsideTheTaskDirectoryIsReadOnlyOrAbsent() throws Exception {
        ExitOutcome outcome = runToEnd(SpecBuilder.shell(fixture.handle(), String.join("; ",
                "touch /usr/x 2>/dev/null && echo usr-writable",
                "touch /x 2>/dev/null && echo root-writable",
                "touch /etc/x 2>/dev/null && echo etc-writable",
                "[ -e /root ] && echo root-present",
                "[ -e /work ] && echo work-present",
                "[ -e /etc/shadow ] && echo shadow-present",
                "touch /task/x && echo task-writable",
                "touch /tmp/x && echo tmp-writable",
                "true")));

        assertEquals(new ExitOutcome.Exited(0), outcome);
        assertEquals(List.of("task-writable", "tmp-writable"), output.stdout());
    }

    @Test
    void taskHasNoCapabilities() throws Exception {
        ExitOutcome outcome = runToEnd(SpecBuilder.command(fixture.handle(), "grep", "^Cap", "/proc/self/status"));

        assertEquals(new ExitOutcome.Exited(0), outcome);
        assertTrue(output.stdout().containsAll(List.of("CapEff:\t0000000000000000", "CapPrm:\t0000000000000000",
                "CapBnd:\t0000000000000000")), output.stdout()::toString);
    }

    @Test
    void stopFromAnotherThreadEndsTheTaskWithinASecond() throws Exception {
        Container container = runtime.create(SpecBuilder.command(fixture.handle(), "sleep", "1000").build());
        CompletableFuture<ExitOutcome> outcome = run(container, output);
        awaitRunning(container);

        container.stop(Duration.ofSeconds(30), "cancelled");

        await().atMost(Duration.ofSeconds(1)).until(outcome::isDone);
        assertEquals(new ExitOutcome.Stopped("cancelled"), outcome.get());
    }

    @Test
    void stopKillsWhatIgnoresSigtermOnceTheGraceIsOver() throws Exception {
        Container container = runtime.create(SpecBuilder.shell(fixture.handle(),
                "trap 'echo got TERM' TERM; touch /task/ready; while true; do sleep 1; done").build());
        CompletableFuture<ExitOutcome> outcome = run(container, output);
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(container.hostPath("ready").orElseThrow()));

        container.stop(Duration.ofMillis(300), "executor shutting down");

        await().atMost(Duration.ofSeconds(10)).until(outcome::isDone);
        assertEquals(new ExitOutcome.Stopped("executor shutting down"), outcome.get());
        assertTrue(output.stdout().contains("got TERM"), output.stdout()::toString);
    }

    @Test
    void aFreshRuntimeFindsAndDestroysWhatTheLastOneLeftRunning() throws Exception {
        String handle = fixture.handle();
        Container container = runtime.create(SpecBuilder.shell(handle, "touch /task/started; exec sleep 1000")
                .build());
        CompletableFuture<ExitOutcome> outcome = run(container, output);
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(container.hostPath("started").orElseThrow()));
        List<Path> cgroupDirs = cgroupDirs(handle);
        List<Long> pids = Cgroup.readPids(cgroupDirs.get(0).resolve("cgroup.procs"));
        assertFalse(pids.isEmpty());

        ContainerRuntime restarted = fixture.reopen();
        assertEquals(List.of(handle), restarted.listOwned());
        restarted.destroy(handle);

        assertTrue(cgroupDirs.stream().noneMatch(Files::exists));
        // dead: gone, or a zombie until its parent reaps it
        await().atMost(Duration.ofSeconds(5))
                .until(() -> pids.stream().allMatch(pid -> ProcStat.read(pid).map(stat -> stat.state() == 'Z')
                        .orElse(true)));
        assertFalse(Files.exists(workDir.resolve("containers").resolve(handle)));
        assertEquals(List.of(), restarted.listOwned());
        await().atMost(Duration.ofSeconds(10)).until(outcome::isDone);
        restarted.destroy(handle);
    }

    @Test
    void memoryBeyondTheBudgetIsInsufficientResourcesUntilAContainerIsClosed() throws Exception {
        try (RuntimeFixture small = new RuntimeFixture(fixture.settings.withHostMemoryBudgetMb(100), "sandbox")) {
            Container first = small.runtime.create(SpecBuilder.command(small.handle(), "true").memoryMb(64).build());

            assertThrows(ContainerException.InsufficientResources.class,
                    () -> small.runtime.create(SpecBuilder.command(small.handle(), "true").memoryMb(64).build()));

            first.close();
            small.runtime.create(SpecBuilder.command(small.handle(), "true").memoryMb(64).build()).close();
        }
    }

    @Test
    void listOwnedShowsOnlyThisOwnersContainers() throws Exception {
        try (RuntimeFixture other = new RuntimeFixture(workDir, "sandbox")) {
            Container mine = runtime.create(SpecBuilder.command(fixture.handle(), "true").build());
            other.runtime.create(SpecBuilder.command(other.handle(), "true").build());

            assertEquals(List.of(mine.handle()), runtime.listOwned());
        }
    }

    @Test
    void aHandleWithoutTheOwnerPrefixIsRefused() {
        assertThrows(ContainerException.class,
                () -> runtime.create(SpecBuilder.command("someone-else-task", "true").build()));
        assertThrows(ContainerException.class,
                () -> runtime.create(SpecBuilder.command(fixture.settings.ownerPrefix() + "../x", "true").build()));
    }

    @Test
    void closeRemovesCgroupAndTaskDirectory() throws Exception {
        String handle = fixture.handle();
        Container container = runtime.create(SpecBuilder.command(handle, "true").build());
        assertTrue(cgroupDirs(handle).stream().allMatch(Files::isDirectory));

        container.close();
        container.close();

        assertTrue(cgroupDirs(handle).stream().noneMatch(Files::exists));
        assertFalse(Files.exists(workDir.resolve("containers").resolve(handle)));
        assertEquals(List.of(), runtime.listOwned());
    }

    /** The task's sleep (not just the launcher) is in the cgroup once pids.current counts the supervisor and it. */
    private void awaitRunning(Container container) {
        await().atMost(Duration.ofSeconds(10))
                .until(() -> Cgroup.readPids(cgroupDirs(container.handle()).get(0).resolve("cgroup.procs")).size() >= 3);
    }

    private static List<Path> cgroupDirs(String handle) {
        Path mount = CgroupTree.MOUNT;
        if (Files.exists(mount.resolve("cgroup.controllers"))) {
            return List.of(mount.resolve(RuntimeFixture.CGROUP_ROOT).resolve(handle));
        }
        return List.of("pids", "memory").stream()
                .map(controller -> mount.resolve(controller).resolve(RuntimeFixture.CGROUP_ROOT).resolve(handle))
                .toList();
    }
}
