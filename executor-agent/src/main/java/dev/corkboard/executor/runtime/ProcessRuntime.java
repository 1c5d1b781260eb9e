package dev.corkboard.executor.runtime;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each task as a plain child process, for development machines without bubblewrap or cgroups: a session of its
 * own (via {@code setsid}), the task directory as default working directory, the spec's environment (HOME defaults to
 * the task directory, TMPDIR to a directory beside it). {@code /task/...} paths in the spec mean the task directory.
 *
 * <p><strong>Only the timeout is enforced.</strong> Memory, pids and CPU weight are not: a task can use all of the
 * host, and {@link #create} logs a warning saying so once. There is no isolation: the task sees and can write
 * whatever the agent's user can. Processes that leave the session (setsid, daemons) escape stop and destroy.
 *
 * <p>The session leader's pid and start time are kept in the container directory, so that {@link #destroy} after an
 * agent crash kills the leftover session only while that pid still names the process it started.
 */
public final class ProcessRuntime implements ContainerRuntime {

    public static final String NAME = "process";

    private static final Logger log = LoggerFactory.getLogger(ProcessRuntime.class);

    private final RuntimeSettings settings;
    private final ContainerDirectories dirs;
    private final MemoryBudget budget;
    private final ScheduledExecutorService timer;
    private final AtomicBoolean warned = new AtomicBoolean();

    private ProcessRuntime(RuntimeSettings settings) {
        this.settings = settings;
        this.dirs = new ContainerDirectories(settings.workDir(), settings.ownerPrefix());
        this.budget = MemoryBudget.of(settings.hostMemoryBudgetMb());
        this.timer = RuntimeTimer.create(NAME);
    }

    /** @throws ContainerException when {@code /usr/bin/setsid} (util-linux) is missing */
    public static ProcessRuntime open(RuntimeSettings settings) throws ContainerException {
        if (!Files.isExecutable(ProcessContainer.SETSID)) {
            throw new ContainerException("the process runtime needs " + ProcessContainer.SETSID + " (util-linux)");
        }
        return new ProcessRuntime(settings);
    }

    @Override
    public String name() {
        return NAME;
    }

    /** Creates the container directory; reserves the spec's memory in the budget although nothing enforces it. */
    @Override
    public Container create(ContainerSpec spec) throws ContainerException {
        String handle = spec.handle();
        dirs.checkHandle(handle);
        TaskLimits limits = TaskLimits.of(spec, settings);
        for (String name : spec.env().keySet()) {
            if (name.isEmpty() || name.contains("=")) {
                throw new ContainerException("environment variable name '" + name + "' is not usable");
            }
        }
        if (warned.compareAndSet(false, true)) {
            log.warn("the process runtime does not enforce memory, pids or CPU limits and does not isolate tasks;"
                    + " use the sandbox runtime outside development");
        }
        budget.reserve(handle, limits.memoryMb());
        try {
            Path root = dirs.create(handle);
            return new ProcessContainer(spec, root, dirs.task(handle), timer, () -> destroy(handle));
        } catch (ContainerException e) {
            budget.release(handle);
            throw e;
        }
    }

    @Override
    public List<String> listOwned() {
        return dirs.list().stream().sorted().toList();
    }

    /**
     * Kills the session recorded in the pid file (only if its pid still names the process this runtime started) and
     * deletes the container directory. Failures are logged; the container stays listed.
     */
    @Override
    public void destroy(String handle) {
        if (!dirs.owns(handle)) {
            log.warn("not destroying '{}': not a handle of this runtime's owner", handle);
            return;
        }
        ProcessSession.fromPidFile(dirs.root(handle).resolve("pid")).ifPresent(ProcessSession::kill);
        try {
            dirs.delete(handle);
        } catch (UncheckedIOException e) {
            log.warn("cannot delete directory of {}: {}", handle, e.getMessage());
        }
        budget.release(handle);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
