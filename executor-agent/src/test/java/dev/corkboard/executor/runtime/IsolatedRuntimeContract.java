package dev.corkboard.executor.runtime;

import static dev.corkboard.executor.runtime.RuntimeFixture.read;
import static dev.corkboard.executor.runtime.RuntimeFixture.run;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
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

/**
 * What every runtime that isolates its tasks (namespaces, uid 1000 without capabilities, a cgroup per task with
 * memory and pids limits) does alike. Each such runtime's test class extends this, names the runtime and the hostname
 * its tasks see, says where its containers leave traces on the host, and adds the tests of what only it does.
 */
abstract class IsolatedRuntimeContract {

    @TempDir
    Path workDir;

    /** The runtime under test, by its configuration name. */
    final String runtimeName;
    /** The hostname a task sees. */
    private final String hostname;

    RuntimeFixture fixture;
    ContainerRuntime runtime;
    final CapturedOutput output = new CapturedOutput();

    IsolatedRuntimeContract(String runtimeName, String hostname) {
        this.runtimeName = runtimeName;
        this.hostname = hostname;
    }

    /**
     * The handle's cgroup directories in the hierarchies the runtime makes them in: all present while the container
     * holds its cgroup, none once it is removed.
     */
    abstract List<Path> cgroupDirs(String handle) throws IOException;

    /** What the runtime keeps on the host for a container beside its cgroup (container directory, runc state, …). */
    abstract List<Path> containerFiles(String handle);

    @BeforeEach
    void openRuntime() {
        fixture = new RuntimeFixture(workDir, runtimeName);
        runtime = fixture.runtime;
    }

    @AfterEach
    void destroyEverything() {
        fixture.close();
    }

    ExitOutcome runToEnd(SpecBuilder spec) throws Exception {
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
    void taskRunsAsUid1000WithoutCapabilitiesUnderItsOwnHostname() throws Exception {
        ExitOutcome outcome = runToEnd(SpecBuilder.shell(fixture.handle(),
                "id -u; id -g; hostname; grep ^Cap /proc/self/status; grep NoNewPrivs /proc/self/status"));

        assertEquals(new ExitOutcome.Exited(0), outcome);
        assertEquals(List.of("1000", "1000", hostname), output.stdout().subList(0, 3));
        assertTrue(output.stdout().containsAll(List.of("CapEff:\t0000000000000000", "CapPrm:\t0000000000000000",
                "CapBnd:\t0000000000000000", "CapAmb:\t0000000000000000", "NoNewPrivs:\t1")),
                output.stdout()::toString);
    }

    /**
     * The task's uid 1000 is the unprivileged host uid and gid of the settings outside, never root: what it makes in
     * /task is that uid's on the host, and a setuid file it makes there is setuid to that uid, not to root.
     */
    @Test
    void whatTheTaskMakesIsItsUnprivilegedHostUidsNotRoots() throws Exception {
        String handle = fixture.handle();
        Container container = runtime.create(SpecBuilder.shell(handle,
                "touch /task/made && mkdir /task/dir && cp /bin/sh /task/sh && chmod 4755 /task/sh").build());
        assertEquals(new ExitOutcome.Exited(0), run(container, output).get(60, TimeUnit.SECONDS),
                output.stderr()::toString);

        for (String file : List.of("/task", "/task/made", "/task/dir", "/task/sh")) {
            Path host = container.hostPath(file).orElseThrow();
            assertEquals(List.of(fixture.settings.taskUid(), fixture.settings.taskGid()),
                    List.of(Files.getAttribute(host, "unix:uid"), Files.getAttribute(host, "unix:gid")), file);
        }
        Path setuid = container.hostPath("/task/sh").orElseThrow();
        assertTrue(((Integer) Files.getAttribute(setuid, "unix:mode") & 04000) != 0, "the task's chmod 4755 took");
        assertTrue((Integer) Files.getAttribute(setuid, "unix:uid") != 0, "setuid root on the host");
        container.close();
    }

    /**
     * A root-owned file in the task's read-write directory (one the host put there) is not the task's: as root
     * outside, the task owned it and could rewrite it.
     */
    @Test
    void theTaskCannotWriteARootOwnedFileInItsDirectory() throws Exception {
        Container container = runtime.create(SpecBuilder.shell(fixture.handle(), String.join("; ",
                "echo task >> /task/roots 2>/dev/null && echo appended",
                "chmod 666 /task/roots 2>/dev/null && echo chmodded",
                "true")).build());
        Path roots = container.hostPath("/task/roots").orElseThrow();
        Files.writeString(roots, "root's\n");
        Files.setPosixFilePermissions(roots, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));

        assertEquals(new ExitOutcome.Exited(0), run(container, output).get(60, TimeUnit.SECONDS),
                output.stderr()::toString);

        assertEquals(List.of(), output.stdout());
        assertEquals("root's\n", Files.readString(roots));
        assertEquals(0, Files.getAttribute(roots, "unix:uid"));
        container.close();
    }

    /** The task's host uid and gid are settings: another pair is used as given. */
    @Test
    void theTaskRunsAsTheConfiguredHostUidAndGid() throws Exception {
        try (RuntimeFixture other = new RuntimeFixture(fixture.settings.withTaskIds(102_345, 102_346),
                runtimeName)) {
            Container container = other.runtime.create(SpecBuilder.shell(other.handle(),
                    "id -u; id -g; touch /task/made").build());
            assertEquals(new ExitOutcome.Exited(0), run(container, output).get(60, TimeUnit.SECONDS),
                    output.stderr()::toString);
            Path made = container.hostPath("/task/made").orElseThrow();

            assertEquals(List.of("1000", "1000"), output.stdout());
            assertEquals(List.of(102_345, 102_346),
                    List.of(Files.getAttribute(made, "unix:uid"), Files.getAttribute(made, "unix:gid")));
            container.close();
        }
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
    void theCpuWeightIsTheCgroupsShare() throws Exception {
        Container container = runtime.create(SpecBuilder.command(fixture.handle(), "sleep", "1000").cpuWeight(250)
                .build());
        CompletableFuture<ExitOutcome> outcome = run(container, output);
        awaitRunning(container.handle(), "sleep");

        List<String> shares = new java.util.ArrayList<>();
        for (Path dir : cgroupDirs(container.handle())) {
            if (java.nio.file.Files.exists(dir.resolve("cpu.shares"))) {
                shares.add("cpu.shares " + java.nio.file.Files.readString(dir.resolve("cpu.shares")).trim());
            }
            if (java.nio.file.Files.exists(dir.resolve("cpu.weight"))) {
                shares.add("cpu.weight " + java.nio.file.Files.readString(dir.resolve("cpu.weight")).trim());
            }
        }
        container.stop(Duration.ZERO, "done");
        await().atMost(Duration.ofSeconds(5)).until(outcome::isDone);

        // cgroup v1 counts shares (1024 normal), v2 weights (100 normal)
        assertTrue(shares.equals(List.of("cpu.shares 2560")) || shares.equals(List.of("cpu.weight 250")),
                shares::toString);
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
        assertCgroupPresent(handle);

        ContainerRuntime restarted = fixture.reopen();
        assertEquals(List.of(handle), restarted.listOwned());
        restarted.destroy(handle);

        assertCgroupAndFilesGone(handle);
        // dead: gone, or a zombie until its parent reaps it
        await().atMost(Duration.ofSeconds(5))
                .until(() -> pids.stream().allMatch(pid -> ProcStat.read(pid).map(stat -> stat.state() == 'Z')
                        .orElse(true)));
        assertEquals(List.of(), restarted.listOwned());
        await().atMost(Duration.ofSeconds(10)).until(outcome::isDone);
        restarted.destroy(handle);
    }

    @Test
    void closeAfterAnExitRemovesTheCgroupAndTheContainersFiles() throws Exception {
        String handle = fixture.handle();
        Container container = runtime.create(SpecBuilder.command(handle, "true").build());
        assertEquals(new ExitOutcome.Exited(0), run(container, output).get(60, TimeUnit.SECONDS));
        assertCgroupPresent(handle);

        container.close();
        container.close();

        assertCgroupAndFilesGone(handle);
        assertEquals(List.of(), runtime.listOwned());
    }

    /**
     * A tree deeper than PATH_MAX from the host's side is still removed, and symlinks in it to host directories are
     * removed, not followed: nothing the task leaves outlives it, nothing outside it goes.
     */
    @Test
    void closeRemovesATaskDirectoryDeeperThanAHostPathCanNameWithoutFollowingItsSymlinks() throws Exception {
        Path outside = Files.createDirectory(workDir.resolve("outside"));
        Files.writeString(outside.resolve("keep"), "host file\n");
        String handle = fixture.handle();
        Container container = runtime.create(SpecBuilder.shell(handle, "n=$(printf '%0200d' 0); mkdir t"
                + " && echo x > t/leaf && ln -s " + outside + " t/host && ln -s " + outside + " host"
                // built from the bottom up, so the task itself never names a path longer than two levels
                + " && for i in $(seq 40); do mkdir p && mv t p/$n && mv p t || exit 1; done").build());
        assertEquals(new ExitOutcome.Exited(0), run(container, output).get(60, TimeUnit.SECONDS),
                output.stderr()::toString);

        container.close();

        assertCgroupAndFilesGone(handle);
        assertEquals(List.of(), runtime.listOwned());
        assertEquals("host file\n", Files.readString(outside.resolve("keep")));
    }

    /**
     * What the task makes in /task is its host uid's, a setuid file included: no other host user may reach the task
     * directory, even when the work directory itself is open to all (as one made with the default umask is).
     */
    @Test
    void otherHostUsersCannotReachWhatTheTaskLeftInItsDirectory() throws Exception {
        Path open = Files.createDirectories(workDir.resolve("open/work"));
        Files.setPosixFilePermissions(workDir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(open.getParent(),
                java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        try (RuntimeFixture openFixture = new RuntimeFixture(open, runtimeName)) {
            Container container = openFixture.runtime.create(SpecBuilder.shell(openFixture.handle(),
                    "cp /bin/sh /task/sh && chmod 4755 /task/sh && ls -ln /task/sh").build());
            assertEquals(new ExitOutcome.Exited(0), run(container, output).get(60, TimeUnit.SECONDS),
                    output.stderr()::toString);
            Path planted = container.hostPath("/task/sh").orElseThrow();

            Process nobody = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                    "stat", planted.toString()).redirectErrorStream(true).start();
            String said = new String(nobody.getInputStream().readAllBytes());
            int status = nobody.waitFor();

            assertTrue(status != 0, () -> "uid 65534 reaches the task's files:\n" + said);
            container.close();
        }
    }

    /**
     * A nested user namespace with a cgroup namespace of its own could mount the cgroup file system and try to raise
     * the task's limits. No nested user namespace is made, and the cgroup's files are not the task's anyway.
     */
    @Test
    void theTaskCannotRaiseItsOwnLimitsThroughANestedUserNamespace() throws Exception {
        String handle = fixture.handle();
        Container container = runtime.create(SpecBuilder.shell(handle, "mkdir /tmp/c && unshare -U -r -m -C sh -c"
                + " 'mount -t cgroup -o pids none /tmp/c 2>/dev/null || mount -t cgroup2 none /tmp/c;"
                + " echo 5000 > /tmp/c/pids.max && echo raised'; true").maxPids(64).build());
        assertEquals(new ExitOutcome.Exited(0), run(container, output).get(60, TimeUnit.SECONDS),
                output.stderr()::toString);

        List<String> limits = new java.util.ArrayList<>();
        for (Path dir : cgroupDirs(handle)) {
            if (Files.exists(dir.resolve("pids.max"))) {
                limits.add(Files.readString(dir.resolve("pids.max")).trim());
            }
        }
        container.close();

        assertEquals(List.of("64"), limits);
        assertEquals(List.of(), output.stdout());
    }

    void assertCgroupPresent(String handle) throws IOException {
        List<Path> dirs = cgroupDirs(handle);
        assertFalse(dirs.isEmpty(), "no cgroup directory of " + handle);
        assertTrue(dirs.stream().allMatch(Files::isDirectory), dirs::toString);
    }

    void assertCgroupAndFilesGone(String handle) throws IOException {
        assertEquals(List.of(), cgroupDirs(handle).stream().filter(Files::exists).toList());
        assertEquals(List.of(), containerFiles(handle).stream().filter(Files::exists).toList());
    }

    /** Waits until {@code program} itself (not a launcher before its exec) runs in the handle's cgroup; its pids. */
    static List<Long> awaitRunning(String handle, String program) {
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
}
