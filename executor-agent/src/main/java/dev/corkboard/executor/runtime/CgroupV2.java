package dev.corkboard.executor.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A task's cgroup on a unified (v2) host: one directory, named by the handle. */
record CgroupV2(String handle, Path dir) implements Cgroup {

    @Override
    public List<Path> procsFiles() {
        return List.of(dir.resolve("cgroup.procs"));
    }

    @Override
    public List<Long> pids() {
        return Cgroup.readPids(dir.resolve("cgroup.procs"));
    }

    /** memory.max with memory.swap.max 0 (no swapping around the limit), pids.max, cpu.weight when cpu is enabled. */
    @Override
    public void limit(TaskLimits limits) throws IOException {
        Cgroup.write(dir.resolve("memory.max"), Long.toString(limits.memoryBytes()));
        if (Files.exists(dir.resolve("memory.swap.max"))) {
            Cgroup.write(dir.resolve("memory.swap.max"), "0");
        }
        Cgroup.write(dir.resolve("pids.max"), Integer.toString(limits.maxPids()));
        if (Files.exists(dir.resolve("cpu.weight"))) {
            Cgroup.write(dir.resolve("cpu.weight"), Integer.toString(limits.cpuWeight()));
        }
    }

    /** cgroup.kill when the kernel has it (5.14+); otherwise freeze, SIGKILL every member, thaw, until empty. */
    @Override
    public void kill() {
        long deadline = System.nanoTime() + GIVE_UP_NANOS;
        boolean killFile = Files.exists(dir.resolve("cgroup.kill"));
        boolean freezer = Files.exists(dir.resolve("cgroup.freeze"));
        while (!Cgroup.live(pids()).isEmpty() && System.nanoTime() < deadline) {
            try {
                if (killFile) {
                    Cgroup.write(dir.resolve("cgroup.kill"), "1");
                } else {
                    if (freezer) {
                        Cgroup.write(dir.resolve("cgroup.freeze"), "1");
                    }
                    Signals.kill(pids());
                    if (freezer) {
                        Cgroup.write(dir.resolve("cgroup.freeze"), "0");
                    }
                }
            } catch (IOException e) {
                return;
            }
            if (!Cgroup.live(pids()).isEmpty()) {
                Cgroup.pause();
            }
        }
    }

    @Override
    public long oomKills() {
        return Cgroup.readKey(dir.resolve("memory.events"), "oom_kill").orElse(0);
    }

    @Override
    public long pidsLimitHits() {
        return Cgroup.readKey(dir.resolve("pids.events"), "max").orElse(0);
    }

    @Override
    public void remove() throws IOException {
        kill();
        Cgroup.removeDirectory(dir);
    }
}
