package dev.corkboard.local;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Collections;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The commands that change a local cluster, each run under the directory's lock: bring it up, start, stop or kill one
 * member, bring it down. Every process it starts is detached and outlives the command; the state file is how the
 * next command finds them.
 */
final class LocalCluster {

    /** Start order: etcd first, then what needs only etcd, then the executors, which need the BBS. */
    private static final List<List<Role>> START_ORDER =
            List.of(List.of(Role.ETCD), List.of(Role.BBS, Role.CONVERGER), List.of(Role.EXECUTOR));

    private static final List<List<Role>> STOP_ORDER =
            List.of(List.of(Role.EXECUTOR), List.of(Role.BBS, Role.CONVERGER), List.of(Role.ETCD));

    /** SIGTERM to exit: executors drain for 5 s and BBS replicas let calls finish for 5 s. */
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);
    static final Duration KILL_TIMEOUT = Duration.ofSeconds(10);
    private static final int LOG_LINES = 20;

    private final Path dir;
    private final Path root;
    private final Map<String, String> env;
    private final PrintWriter out;
    private final PrintWriter err;

    LocalCluster(Path dir, Path root, Map<String, String> env, PrintWriter out, PrintWriter err) {
        this.dir = dir;
        this.root = root;
        this.env = env;
        this.out = out;
        this.err = err;
    }

    /**
     * Brings the cluster up, or the members of an existing one that are down. Returns the exit code.
     *
     * @param executorTtl the BBS replicas' {@code --executor-ttl} for a new cluster; empty: their default
     */
    int up(Optional<Topology> requested, Optional<String> executorTtl, Duration healthTimeout)
            throws InterruptedException {
        long began = System.nanoTime();
        try (DirLock lock = DirLock.acquire(dir)) {
            ClusterState state = planOrReuse(requested, executorTtl);
            noteRuntime(state);
            for (List<Role> roles : START_ORDER) {
                List<Member> group = state.processes().stream().filter(m -> roles.contains(m.role())).toList();
                for (Member member : group) {
                    state = launchUnlessRunning(state, member);
                }
                if (!awaitHealthy(state, group.stream().map(Member::name).toList(), healthTimeout)) {
                    err.println("cluster: the members already started keep running; see `cluster status`, or"
                            + " `cluster down`");
                    return 1;
                }
            }
            StateFile.writeBbsEndpoints(dir, state.bbsEndpoints());
            out.printf("%nUp in %.1f s.%n%n", (System.nanoTime() - began) / 1e9);
            StatusReport report = StatusReport.of(state);
            report.printTable(out);
            out.println();
            report.printEndpoints(out);
            printNextSteps();
            return 0;
        }
    }

    /**
     * The recorded cluster, or a new plan recorded now; a shape or executor TTL other than the recorded one is
     * refused.
     */
    private ClusterState planOrReuse(Optional<Topology> requested, Optional<String> executorTtl) {
        Optional<ClusterState> existing = StateFile.read(dir);
        if (existing.isEmpty()) {
            ClusterState state = plan(requested.orElse(Topology.DEFAULT), executorTtl.orElse(""));
            StateFile.write(state);
            out.printf("Starting a Corkboard cluster in %s (%s)%n", dir, state.topology());
            return state;
        }
        ClusterState state = existing.get();
        if (requested.isPresent() && !requested.get().equals(state.topology())) {
            throw new IllegalArgumentException(dir + " holds a cluster of " + state.topology()
                    + "; bring it down with --purge to change its shape");
        }
        if (executorTtl.isPresent() && !executorTtl.get().equals(state.executorTtl())) {
            throw new IllegalArgumentException(dir + " holds a cluster whose BBS replicas run with "
                    + (state.executorTtl().isEmpty() ? "the default executor TTL" : "--executor-ttl "
                            + state.executorTtl()) + "; bring it down with --purge to change it");
        }
        out.printf("A cluster is already in %s: starting its members that are down.%n", dir);
        if (state.processes().stream().noneMatch(MemberProcess::isRunning)) {
            // nothing runs the cluster's copies of the jars: take the latest build
            Programs.locate(root, env).copyJarsTo(dir);
        }
        return state;
    }

    /** Starts one member again with its recorded command, ports and data. */
    int start(String name, Duration healthTimeout) throws InterruptedException {
        try (DirLock lock = DirLock.acquire(dir)) {
            ClusterState state = state();
            Member member = member(state, name);
            if (MemberProcess.isRunning(member)) {
                out.printf("%s is already running (pid %d)%n", name, member.pid());
                return 0;
            }
            state = launchUnlessRunning(state, member);
            if (!awaitHealthy(state, List.of(name), healthTimeout)) {
                Member started = member(state, name);
                if (MemberProcess.isRunning(started)) {
                    err.printf("cluster: %s keeps running (pid %d); `cluster stop %s` stops it%n", name,
                            started.pid(), name);
                }
                return 1;
            }
            out.printf("%s is up%n", name);
            return 0;
        }
    }

    /** SIGTERM, then SIGKILL when the member has not exited within {@link #STOP_TIMEOUT}. */
    int stop(String name) throws InterruptedException {
        try (DirLock lock = DirLock.acquire(dir)) {
            Member member = member(state(), name);
            if (!MemberProcess.isRunning(member)) {
                out.printf("%s is not running%n", name);
                return 0;
            }
            return terminate(List.of(member)) ? 0 : 1;
        }
    }

    /** SIGKILL: the member dies at once, without cleaning up, as in a crash. */
    int kill(String name) throws InterruptedException {
        try (DirLock lock = DirLock.acquire(dir)) {
            Member member = member(state(), name);
            if (!MemberProcess.signal(member, true)) {
                out.printf("%s is not running%n", name);
                return 0;
            }
            if (!Poll.until(() -> !MemberProcess.isRunning(member), KILL_TIMEOUT)) {
                err.printf("cluster: %s (pid %d) survived SIGKILL for %d s%n", name, member.pid(),
                        KILL_TIMEOUT.toSeconds());
                return 1;
            }
            out.printf("killed %s (pid %d)%n", name, member.pid());
            return 0;
        }
    }

    /**
     * Stops every member (executors first, so they can report their tasks, then the BBS and the convergers, then
     * etcd), checks by pid that none is left, and keeps the logs; with {@code purge} removes the directory.
     */
    int down(boolean purge) throws InterruptedException {
        if (!Files.isDirectory(dir)) {
            out.printf("No cluster in %s%n", dir);
            return 0;
        }
        try (DirLock lock = DirLock.acquire(dir)) {
            Optional<ClusterState> existing = StateFile.read(dir);
            boolean allGone = true;
            if (existing.isPresent()) {
                StateFile.removeBbsEndpoints(dir);
                for (List<Role> roles : STOP_ORDER) {
                    List<Member> group = existing.get().processes().stream()
                            .filter(m -> roles.contains(m.role()) && MemberProcess.isRunning(m)).toList();
                    allGone &= terminate(group);
                }
            } else {
                out.printf("No cluster in %s%n", dir);
            }
            if (!allGone) {
                err.printf("cluster: some members are still running; %s is kept%n", dir);
                return 1;
            }
            existing.ifPresent(this::removeTaskCgroups);
            if (purge) {
                deleteTree(dir);
                out.printf("Removed %s%n", dir);
            } else if (existing.isPresent()) {
                out.printf("Every member has stopped; logs are kept in %s/logs (`down --purge` removes them)%n", dir);
            }
            return 0;
        }
    }

    /**
     * Removes the task cgroups this cluster's executors left behind (an executor killed mid-task leaves its tasks'
     * cgroups), once every member has stopped. One that still holds a process, or cannot be removed, is reported and
     * left in place.
     */
    private void removeTaskCgroups(ClusterState state) {
        List<String> executorIds = state.members(Role.EXECUTOR).stream().map(Member::id).toList();
        int removed = 0;
        for (Path cgroup : TaskCgroups.owned(TaskCgroups.MOUNT, executorIds)) {
            if (TaskCgroups.busy(cgroup)) {
                err.printf("cluster: task cgroup %s still holds processes; left in place%n", cgroup);
                continue;
            }
            try {
                TaskCgroups.remove(cgroup);
                removed++;
            } catch (IOException e) {
                err.printf("cluster: cannot remove task cgroup %s: %s%n", cgroup, e.getMessage());
            }
        }
        if (removed > 0) {
            out.printf("Removed %d empty task cgroups of this cluster's executors%n", removed);
        }
    }

    private ClusterState plan(Topology topology, String executorTtl) {
        Programs checkout = Programs.locate(root, env);
        checkout.copyJarsTo(dir);
        byte[] id = new byte[3];
        new SecureRandom().nextBytes(id);
        return ClusterPlan.plan(dir, topology, checkout.inCluster(dir), runsAsRoot(), HexFormat.of().formatHex(id),
                executorTtl, Ports.pick(Ports.needed(topology)));
    }

    private void noteRuntime(ClusterState state) {
        boolean processRuntime = state.members(Role.EXECUTOR).stream()
                .anyMatch(m -> Collections.indexOfSubList(m.command(), List.of("--runtime", "process")) >= 0);
        if (processRuntime) {
            out.println("Executors run tasks with --runtime process (not root: the sandbox runtime needs root for"
                    + " cgroups). Tasks are NOT isolated and only their timeout is enforced.");
        }
    }

    private ClusterState launchUnlessRunning(ClusterState state, Member member) {
        if (MemberProcess.isRunning(member)) {
            out.printf("  %-12s already running (pid %d)%n", member.name(), member.pid());
            return state;
        }
        long pid = MemberProcess.launch(member, env);
        out.printf("  %-12s started (pid %d)%n", member.name(), pid);
        ClusterState updated = state.with(member.withPid(pid));
        StateFile.write(updated);
        return updated;
    }

    /** Waits until each named member is healthy; on failure says which and why, with the end of its log. */
    private boolean awaitHealthy(ClusterState state, List<String> names, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (String name : names) {
            Member member = member(state, name);
            Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
            boolean settled = Poll.until(() -> Health.of(member) != Health.UNHEALTHY, left);
            Health health = Health.of(member);
            if (health != Health.UP) {
                String why = health == Health.DOWN ? "exited" : settled
                        ? "is not healthy" : "did not become healthy within " + timeout.toSeconds() + " s";
                err.printf("cluster: %s %s; last lines of %s:%n%s%n", name, why, member.log(),
                        LogTail.of(Path.of(member.log()), LOG_LINES));
                return false;
            }
        }
        return true;
    }

    /** SIGTERM to all, SIGKILL to those left after {@link #STOP_TIMEOUT}. Returns whether every one has exited. */
    private boolean terminate(List<Member> members) throws InterruptedException {
        members.forEach(member -> MemberProcess.signal(member, false));
        if (!Poll.until(() -> members.stream().noneMatch(MemberProcess::isRunning), STOP_TIMEOUT)) {
            members.stream().filter(MemberProcess::isRunning).forEach(member -> {
                out.printf("  %-12s did not exit within %d s of SIGTERM: SIGKILL%n", member.name(),
                        STOP_TIMEOUT.toSeconds());
                MemberProcess.signal(member, true);
            });
            Poll.until(() -> members.stream().noneMatch(MemberProcess::isRunning), KILL_TIMEOUT);
        }
        boolean allGone = true;
        for (Member member : members) {
            if (MemberProcess.isRunning(member)) {
                err.printf("cluster: %s (pid %d) is still running%n", member.name(), member.pid());
                allGone = false;
            } else {
                out.printf("  %-12s stopped (pid %d)%n", member.name(), member.pid());
            }
        }
        return allGone;
    }

    /** The recorded state; fails when the directory holds no cluster. */
    ClusterState state() {
        return StateFile.read(dir).orElseThrow(() -> new IllegalStateException(
                "no cluster in " + dir + ": start one with `deploy/local/cluster up`"));
    }

    private static Member member(ClusterState state, String name) {
        return state.member(name).orElseThrow(() -> new IllegalArgumentException("no process named '" + name
                + "'; this cluster has " + String.join(", ", state.processes().stream().map(Member::name).toList())));
    }

    private void printNextSteps() {
        boolean defaultDir = dir.equals(ClusterMain.defaultDir(root, env));
        out.println();
        if (!defaultDir && !dir.toString().equals(env.get(ClusterMain.DIR_VARIABLE))) {
            out.printf("So that cork finds this cluster: export %s=%s%n", ClusterMain.DIR_VARIABLE, dir);
        }
        out.println("Try:");
        out.println("  deploy/bin/cork executors");
        out.println("  deploy/bin/cork desire --domain demo --guid hello-1 --result-file out --"
                + " sh -c 'echo hi | tee out'");
        out.println("  deploy/bin/cork wait hello-1 && deploy/bin/cork logs hello-1");
        out.println("  deploy/local/cluster status | kill bbs-1 | start bbs-1 | down [--purge]");
    }

    static boolean runsAsRoot() {
        try {
            // /proc/self belongs to the effective uid of the process reading it
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + dir + ": " + e.getMessage(), e);
        }
    }
}
