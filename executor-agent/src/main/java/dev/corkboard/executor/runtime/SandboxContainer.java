package dev.corkboard.executor.runtime;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A task in a bubblewrap sandbox inside its own cgroup. The process tree in the cgroup is: bubblewrap's monitor (the
 * launched process, a child of the JVM thread that called {@link #start}, which execs its way from root's launcher to
 * bubblewrap as the task's host uid), bubblewrap as pid 1 of the task's pid namespace, then the task's processes.
 * When pid 1 ends the kernel kills the rest of the namespace; when the thread that called start ends,
 * {@code --die-with-parent} kills the monitor and with it the sandbox.
 */
final class SandboxContainer extends CgroupContainer {

    private final Path bwrap;
    private final Path containerDir;
    private final Map<String, String> env;
    private final int taskUid;
    private final int taskGid;

    SandboxContainer(ContainerSpec spec, Path bwrap, Path containerDir, Path taskDir, Cgroup cgroup, TaskLimits limits,
            Map<String, String> env, int taskUid, int taskGid, ScheduledExecutorService timer, Runnable release) {
        super(spec, new ContainerPaths(taskDir, target -> target), cgroup, limits, timer, release);
        this.bwrap = bwrap;
        this.containerDir = containerDir;
        this.env = env;
        this.taskUid = taskUid;
        this.taskGid = taskGid;
    }

    @Override
    protected Process launch() throws IOException {
        List<String> command = SandboxCommand.of(bwrap, spec, containerDir, cgroup, env, taskUid, taskGid);
        return startLauncher(new ProcessBuilder(command).directory(containerDir.toFile()), "/usr/bin:/bin");
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
}
