package dev.corkboard.executor.runtime;

import static dev.corkboard.executor.runtime.RuntimeFixture.read;
import static dev.corkboard.executor.runtime.RuntimeFixture.run;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OciRuntimeTest {

    @TempDir
    Path workDir;

    RuntimeFixture fixture;
    ContainerRuntime runtime;
    final CapturedOutput output = new CapturedOutput();

    @BeforeEach
    void openRuntime() {
        fixture = new RuntimeFixture(workDir, OciRuntime.NAME);
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
    void withNetworkTheTaskSharesTheHostsInterfaces() throws Exception {
        List<String> hostInterfaces = interfaces(Files.readAllLines(Path.of("/proc/net/dev")));

        ExitOutcome outcome = runToEnd(SpecBuilder.command(fixture.handle(), "cat", "/proc/net/dev").network(true));

        assertEquals(new ExitOutcome.Exited(0), outcome);
        assertEquals(hostInterfaces, interfaces(output.stdout()));
    }

    private static List<String> interfaces(List<String> procNetDev) {
        return procNetDev.stream().filter(line -> line.contains(":"))
                .map(line -> line.substring(0, line.indexOf(':')).trim()).sorted().toList();
    }

    @Test
    void taskRunsAsUid1000WithoutCapabilitiesUnderItsOwnHostname() throws Exception {
        ExitOutcome outcome = runToEnd(SpecBuilder.shell(fixture.handle(),
                "id -u; id -g; hostname; grep ^Cap /proc/self/status; grep NoNewPrivs /proc/self/status"));

        assertEquals(new ExitOutcome.Exited(0), outcome);
        assertEquals(List.of("1000", "1000", "task"), output.stdout().subList(0, 3));
        assertTrue(output.stdout().containsAll(List.of("CapEff:\t0000000000000000", "CapPrm:\t0000000000000000",
                "CapBnd:\t0000000000000000", "CapAmb:\t0000000000000000", "NoNewPrivs:\t1")),
                output.stdout()::toString);
    }

    @Test
    void hostOutsideTheTaskDirectoryIsReadOnlyOrAbsent() throws Exception {
        ExitOutcome outcome = runToEnd(SpecBuilder.shell(fixture.handle(), String.join("; ",
                "touch /usr/x 2>/dev/null && echo usr-writable",
                "touch /x 2>/dev/null && echo root-writable",
                "touch /etc/x 2>/dev/null && echo etc-writable",
                "[ -e /root ] && echo root-present",
                "[ -e /work ] && echo work-present",
                "[ -e /sys/fs/cgroup ] && echo cgroups-present",
                "[ -e /etc/shadow ] && echo shadow-present",
                "touch /task/x && echo task-writable",
                "touch /tmp/x && echo tmp-writable",
                "true")));

        assertEquals(new ExitOutcome.Exited(0), outcome);
        assertEquals(List.of("task-writable", "tmp-writable"), output.stdout());
    }

    @Test
    void stopFromAnotherThreadEndsTheTaskWithinASecond() throws Exception {
        Container container = runtime.create(SpecBuilder.command(fixture.handle(), "sleep", "1000").build());
        CompletableFuture<ExitOutcome> outcome = run(container, output);
        awaitRunning(container.handle(), "sleep");

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
        Container container = runtime.create(SpecBuilder.command(handle, "sleep", "1000").build());
        CompletableFuture<ExitOutcome> outcome = run(container, output);
        List<Long> pids = awaitRunning(handle, "sleep");
        assertFalse(cgroupDirs(handle).isEmpty());

        ContainerRuntime restarted = fixture.reopen();
        assertEquals(List.of(handle), restarted.listOwned());
        restarted.destroy(handle);

        assertEquals(List.of(), cgroupDirs(handle));
        // dead: gone, or a zombie until its parent reaps it
        await().atMost(Duration.ofSeconds(5))
                .until(() -> pids.stream().allMatch(pid -> ProcStat.read(pid).map(stat -> stat.state() == 'Z')
                        .orElse(true)));
        assertFalse(Files.exists(workDir.resolve("containers").resolve(handle)), "container directory and bundle");
        assertFalse(Files.exists(workDir.resolve("oci").resolve(handle)), "runc state");
        assertEquals(List.of(), restarted.listOwned());
        await().atMost(Duration.ofSeconds(10)).until(outcome::isDone);
    }

    @Test
    void closeRemovesCgroupStateAndBundleAfterAnExit() throws Exception {
        String handle = fixture.handle();
        Container container = runtime.create(SpecBuilder.command(handle, "true").build());
        assertEquals(new ExitOutcome.Exited(0), run(container, output).get(60, TimeUnit.SECONDS));
        assertFalse(cgroupDirs(handle).isEmpty(), "the stopped container keeps its cgroup until closed");

        container.close();
        container.close();

        assertEquals(List.of(), cgroupDirs(handle));
        assertFalse(Files.exists(workDir.resolve("containers").resolve(handle)));
        assertFalse(Files.exists(workDir.resolve("oci").resolve(handle)));
        assertEquals(List.of(), runtime.listOwned());
    }

    @Test
    void aRootFsDirectoryIsTheContainersRootAndStaysUntouched() throws Exception {
        Path rootFs = Files.createDirectory(workDir.resolve("rootfs"));
        copyWithLibraries(Path.of("/bin/sh"), rootFs);
        Files.writeString(rootFs.resolve("only-here.txt"), "from the root_fs\n");
        List<String> before = listing(rootFs);

        ExitOutcome outcome = runToEnd(SpecBuilder.shell(fixture.handle(), String.join("; ",
                "read line < /only-here.txt; echo \"$line\"",
                "[ -e /usr/bin/env ] && echo host-usr-present",
                "echo x > /task/x && echo task-writable",
                "echo x > /only-here.txt || echo root-read-only",
                "true")).rootFs(rootFs.toString()));

        assertEquals(new ExitOutcome.Exited(0), outcome, output.stderr()::toString);
        assertEquals(List.of("from the root_fs", "task-writable", "root-read-only"), output.stdout());
        assertEquals(before, listing(rootFs));
    }

    @Test
    void aRootFsPathThatIsNoDirectoryIsRefused() {
        assertThrows(ContainerException.class, () -> runtime.create(SpecBuilder.command(fixture.handle(), "true")
                .rootFs(workDir.resolve("missing").toString()).build()));
        assertEquals(List.of(), runtime.listOwned());
    }

    /** The task's own program runs in the cgroup (runc's init has exec'd it); its pids then. */
    private static List<Long> awaitRunning(String handle, String program) {
        Path procs = CgroupTree.MOUNT.resolve(Files.exists(CgroupTree.MOUNT.resolve("cgroup.controllers"))
                ? Path.of(RuntimeFixture.CGROUP_ROOT, handle, "cgroup.procs")
                : Path.of("pids", RuntimeFixture.CGROUP_ROOT, handle, "cgroup.procs"));
        await().atMost(Duration.ofSeconds(10)).until(() -> Cgroup.readPids(procs).stream()
                .anyMatch(pid -> comm(pid).equals(program)));
        return Cgroup.readPids(procs);
    }

    private static String comm(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "comm")).trim();
        } catch (IOException e) {
            return "";
        }
    }

    /** The handle's cgroup directories that exist, in any hierarchy (runc makes one in every v1 controller). */
    private static List<Path> cgroupDirs(String handle) throws IOException {
        List<Path> found = new ArrayList<>();
        Path unified = CgroupTree.MOUNT.resolve(RuntimeFixture.CGROUP_ROOT).resolve(handle);
        if (Files.exists(unified)) {
            found.add(unified);
        }
        try (DirectoryStream<Path> hierarchies = Files.newDirectoryStream(CgroupTree.MOUNT, Files::isDirectory)) {
            for (Path hierarchy : hierarchies) {
                Path dir = hierarchy.resolve(RuntimeFixture.CGROUP_ROOT).resolve(handle);
                if (Files.exists(dir)) {
                    found.add(dir);
                }
            }
        }
        return found;
    }

    /** Copies {@code program} and the shared libraries ldd names for it into {@code root} at the same paths. */
    private static void copyWithLibraries(Path program, Path root) throws Exception {
        List<Path> files = new ArrayList<>(List.of(program));
        Process ldd = new ProcessBuilder("ldd", program.toString()).redirectErrorStream(true).start();
        Matcher library = Pattern.compile("(/\\S+)").matcher(new String(ldd.getInputStream().readAllBytes()));
        assertEquals(0, ldd.waitFor());
        while (library.find()) {
            files.add(Path.of(library.group(1)));
        }
        for (Path file : files) {
            Path copy = root.resolve(file.toString().substring(1));
            Files.createDirectories(copy.getParent());
            Files.copy(file, copy);
            Files.setPosixFilePermissions(copy, Files.getPosixFilePermissions(file));
        }
    }

    private static List<String> listing(Path root) throws IOException {
        try (var paths = Files.walk(root)) {
            return paths.map(path -> root.relativize(path).toString()).sorted().toList();
        }
    }
}
