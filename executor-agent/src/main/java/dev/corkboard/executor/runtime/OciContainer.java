package dev.corkboard.executor.runtime;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;

/**
 * A task run by runc in the foreground ({@code runc run --keep}): the launched process is runc itself, the task's
 * stdout and stderr are runc's (no terminal, stdin from {@code /dev/null}), and its exit status is the task's (128 +
 * signal when the task's first process was killed). {@code --keep} leaves the stopped container, and with it the
 * cgroup, in place after the exit, so the memory and pids counters can still be read; destroy removes both.
 *
 * <p>The task's first process is pid 1 of its pid namespace, which the kernel spares from signals it does not handle.
 * A stop therefore sends SIGTERM to every process in the cgroup and SIGKILL to that first process when it neither
 * handles nor ignores SIGTERM, which is what SIGTERM would have done to it anywhere else.
 */
final class OciContainer extends CgroupContainer {

    private static final long SIGTERM_BIT = 1L << (15 - 1);

    private final List<String> command;
    private final Path containerDir;

    OciContainer(ContainerSpec spec, List<String> command, Path containerDir, Path taskDir, Cgroup cgroup,
            TaskLimits limits, ScheduledExecutorService timer, Runnable release) {
        super(spec, new ContainerPaths(taskDir, target -> target), cgroup, limits, timer, release);
        this.command = List.copyOf(command);
        this.containerDir = containerDir;
    }

    @Override
    protected Process launch() throws IOException {
        return startLauncher(new ProcessBuilder(command).directory(containerDir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))), "/usr/sbin:/usr/bin:/sbin:/bin");
    }

    @Override
    protected void terminateAll(Process main) {
        List<Long> pids = cgroup.pids();
        Signals.terminate(pids);
        pids.stream().filter(OciContainer::isNamespaceInit).filter(pid -> !handlesSigterm(pid)).findFirst()
                .ifPresent(init -> Signals.send(init, true));
    }

    /** Whether the process is pid 1 in its own pid namespace ({@code NSpid: <host pid> 1}). */
    private static boolean isNamespaceInit(long pid) {
        return statusField(pid, "NSpid:").map(value -> value.endsWith("\t1") || value.endsWith(" 1"))
                .orElse(false);
    }

    /** Whether SIGTERM is caught or ignored by the process; a gone process handles nothing. */
    private static boolean handlesSigterm(long pid) {
        long caught = statusField(pid, "SigCgt:").map(OciContainer::hex).orElse(0L);
        long ignored = statusField(pid, "SigIgn:").map(OciContainer::hex).orElse(0L);
        return ((caught | ignored) & SIGTERM_BIT) != 0;
    }

    private static Optional<String> statusField(long pid, String name) {
        try {
            return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                    .filter(line -> line.startsWith(name)).map(line -> line.substring(name.length()).trim())
                    .findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static long hex(String value) {
        try {
            return Long.parseUnsignedLong(value, 16);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
