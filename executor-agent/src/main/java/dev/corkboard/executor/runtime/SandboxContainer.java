package dev.corkboard.executor.runtime;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A task in a bubblewrap sandbox inside its own cgroup. The process tree in the cgroup is: bubblewrap's monitor (the
 * launched process, a child of the JVM thread that called {@link #start}), bubblewrap as pid 1 of the task's pid
 * namespace, then the task's processes. When pid 1 ends the kernel kills the rest of the namespace; when the thread
 * that called start ends, {@code --die-with-parent} kills the monitor and with it the sandbox.
 */
final class SandboxContainer extends SupervisedContainer {

    private final Path bwrap;
    private final Path containerDir;
    private final Path taskDir;
    private final Cgroup cgroup;
    private final TaskLimits limits;
    private final Map<String, String> env;
    private volatile Process launcher;

    SandboxContainer(ContainerSpec spec, Path bwrap, Path containerDir, Path taskDir, Cgroup cgroup, TaskLimits limits,
            Map<String, String> env, ScheduledExecutorService timer, Runnable release) {
        super(spec, new ContainerPaths(taskDir, target -> target), timer, release);
        this.bwrap = bwrap;
        this.containerDir = containerDir;
        this.taskDir = taskDir;
        this.cgroup = cgroup;
        this.limits = limits;
        this.env = env;
    }

    @Override
    protected Process launch() throws IOException {
        List<String> command = SandboxCommand.of(bwrap, spec, containerDir, taskDir, cgroup, env);
        ProcessBuilder builder = new ProcessBuilder(command).directory(containerDir.toFile());
        builder.environment().clear();
        builder.environment().put("PATH", "/usr/bin:/bin");
        launcher = builder.start();
        return launcher;
    }

    /**
     * SIGTERM to the task's processes. bubblewrap's monitor and its pid 1 are spared: SIGTERM would end the monitor
     * at once and take the whole sandbox down with SIGKILL, without the grace period.
     */
    @Override
    protected void terminateAll(Process main) {
        Set<Long> supervisors = Stream.concat(Stream.of(main.toHandle()), main.toHandle().children())
                .map(ProcessHandle::pid).collect(Collectors.toSet());
        Signals.terminate(cgroup.pids().stream().filter(pid -> !supervisors.contains(pid)).toList());
    }

    /**
     * Kills the cgroup, and the launcher itself: in the first moments after start it may not have joined the cgroup
     * yet, and killing it then keeps it from ever running the task.
     */
    @Override
    protected void killAll() {
        cgroup.kill();
        Process launched = launcher;
        if (launched != null) {
            // through the handle: Process.destroyForcibly() would also close the output pipes under the pumps
            launched.toHandle().destroyForcibly();
        }
    }

    @Override
    protected Optional<ExitOutcome> limitOutcome(int status) {
        return cgroup.limitOutcome(limits, status);
    }
}
