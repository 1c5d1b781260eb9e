package dev.corkboard.executor.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A task's cgroup on a cgroup v1 (or hybrid) host: one directory per controller, named by the handle. memory and pids
 * are always there, cpu and freezer when the host mounts them.
 *
 * @param dirs controller name → this cgroup's directory in that controller's hierarchy
 */
record CgroupV1(String handle, Map<String, Path> dirs) implements Cgroup {

    private static final long FREEZE_WAIT_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(50);

    @Override
    public List<Path> procsFiles() {
        return dirs.values().stream().map(dir -> dir.resolve("cgroup.procs")).toList();
    }

    @Override
    public List<Long> pids() {
        return Cgroup.readPids(dirs.get("pids").resolve("cgroup.procs"));
    }

    /** Writes the limits; memsw equal to the memory limit when the kernel accounts swap, so no swapping around it. */
    @Override
    public void limit(TaskLimits limits) throws IOException {
        Path memory = dirs.get("memory");
        Cgroup.write(memory.resolve("memory.limit_in_bytes"), Long.toString(limits.memoryBytes()));
        if (Files.exists(memory.resolve("memory.memsw.limit_in_bytes"))) {
            Cgroup.write(memory.resolve("memory.memsw.limit_in_bytes"), Long.toString(limits.memoryBytes()));
        }
        Cgroup.write(dirs.get("pids").resolve("pids.max"), Integer.toString(limits.maxPids()));
        Path cpu = dirs.get("cpu");
        if (cpu != null) {
            long shares = Math.max(2, (long) limits.cpuWeight() * 1024 / 100);
            Cgroup.write(cpu.resolve("cpu.shares"), Long.toString(shares));
        }
    }

    /**
     * Freezes the cgroup (when the freezer is there) so nothing forks while it is being killed, SIGKILLs every member,
     * thaws so the signals land, and repeats until cgroup.procs is empty.
     */
    @Override
    public void kill() {
        long deadline = System.nanoTime() + GIVE_UP_NANOS;
        Optional<Path> freezer = Optional.ofNullable(dirs.get("freezer"));
        List<Long> pids;
        while (!(pids = Cgroup.live(pids())).isEmpty() && System.nanoTime() < deadline) {
            freezer.ifPresent(dir -> setFreezer(dir, "FROZEN"));
            Signals.kill(pids());
            freezer.ifPresent(dir -> setFreezer(dir, "THAWED"));
            if (!Cgroup.live(pids()).isEmpty()) {
                Cgroup.pause();
            }
        }
    }

    /**
     * Writes the freezer state and waits a little for it. A cgroup with a task in the middle of exiting can stay
     * FREEZING; the kill goes ahead then, and the next round catches what forked meanwhile.
     */
    private static void setFreezer(Path dir, String state) {
        Path file = dir.resolve("freezer.state");
        long deadline = System.nanoTime() + FREEZE_WAIT_NANOS;
        try {
            Cgroup.write(file, state);
            while (!Files.readString(file).trim().equals(state) && System.nanoTime() < deadline) {
                Cgroup.pause();
            }
        } catch (IOException e) {
            // gone: nothing to freeze
        }
    }

    @Override
    public long oomKills() {
        Path memory = dirs.get("memory");
        OptionalLong kills = Cgroup.readKey(memory.resolve("memory.oom_control"), "oom_kill");
        if (kills.isPresent()) {
            return kills.getAsLong();
        }
        // kernels before 4.13 do not count OOM kills: hitting the limit is the best evidence left
        return Cgroup.readKey(memory.resolve("memory.oom_control"), "under_oom").orElse(0)
                + failcnt(memory.resolve("memory.memsw.failcnt"));
    }

    private static long failcnt(Path file) {
        try {
            return Long.parseLong(Files.readString(file).trim());
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    @Override
    public long pidsLimitHits() {
        return Cgroup.readKey(dirs.get("pids").resolve("pids.events"), "max").orElse(0);
    }

    @Override
    public void remove() throws IOException {
        kill();
        List<IOException> failures = new ArrayList<>();
        for (Path dir : dirs.values()) {
            try {
                Cgroup.removeDirectory(dir);
            } catch (IOException e) {
                failures.add(e);
            }
        }
        if (!failures.isEmpty()) {
            throw failures.get(0);
        }
    }
}
