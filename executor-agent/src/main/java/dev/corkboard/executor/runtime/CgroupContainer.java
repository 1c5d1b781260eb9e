package dev.corkboard.executor.runtime;

import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;

/**
 * A container whose processes live in a cgroup of their own and are started through a launcher process (runc, or
 * the shell that joins the cgroup and execs bubblewrap) that becomes or starts the task. The cgroup enforces the
 * limits and tells which one ended the task; killing the container kills the cgroup and the launcher.
 */
abstract class CgroupContainer extends SupervisedContainer {

    protected final Cgroup cgroup;
    private final TaskLimits limits;
    private volatile Process launcher;

    CgroupContainer(ContainerSpec spec, ContainerPaths paths, Cgroup cgroup, TaskLimits limits,
            ScheduledExecutorService timer, Runnable release) {
        super(spec, paths, timer, release);
        this.cgroup = cgroup;
        this.limits = limits;
    }

    /** Starts the launcher with {@code path} as its whole environment and keeps it for {@link #killAll()}. */
    protected final Process startLauncher(ProcessBuilder builder, String path) throws IOException {
        builder.environment().clear();
        builder.environment().put("PATH", path);
        launcher = builder.start();
        return launcher;
    }

    /**
     * Kills the cgroup, and the launcher itself: in the first moments after start the task may not be in the cgroup
     * yet, and killing the launcher then keeps it from ever starting the task. Whatever it left is removed by destroy.
     */
    @Override
    protected final void killAll() {
        cgroup.kill();
        Process launched = launcher;
        if (launched != null) {
            // through the handle: Process.destroyForcibly() would also close the output pipes under the pumps
            launched.toHandle().destroyForcibly();
        }
    }

    @Override
    protected final Optional<ExitOutcome> limitOutcome(int status) {
        return cgroup.limitOutcome(limits, status);
    }
}
