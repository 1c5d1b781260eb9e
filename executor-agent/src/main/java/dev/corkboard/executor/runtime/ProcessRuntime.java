package dev.corkboard.executor.runtime;

import java.nio.file.Files;
import java.util.List;
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
public final class ProcessRuntime extends AllocatingRuntime {

    public static final String NAME = "process";

    private static final Logger log = LoggerFactory.getLogger(ProcessRuntime.class);

    private final AtomicBoolean warned = new AtomicBoolean();

    private ProcessRuntime(RuntimeSettings settings) {
        super(NAME, settings);
    }

    /** @throws ContainerException when {@code /usr/bin/setsid} (util-linux) is missing */
    public static ProcessRuntime open(RuntimeSettings settings) throws ContainerException {
        if (!Files.isExecutable(ProcessContainer.SETSID)) {
            throw new ContainerException("the process runtime needs " + ProcessContainer.SETSID + " (util-linux)");
        }
        return new ProcessRuntime(settings);
    }

    /** Creates the container directory; reserves the spec's memory in the budget although nothing enforces it. */
    @Override
    public Container create(ContainerSpec spec) throws ContainerException {
        TaskLimits limits = allocations.admit(spec);
        String handle = spec.handle();
        for (String name : spec.env().keySet()) {
            if (name.isEmpty() || name.contains("=")) {
                throw new ContainerException("environment variable name '" + name + "' is not usable");
            }
        }
        if (warned.compareAndSet(false, true)) {
            log.warn("the process runtime does not enforce memory, pids or CPU limits and does not isolate tasks;"
                    + " use the sandbox runtime outside development");
        }
        return allocations.allocate(handle, limits,
                (root, taskDir) -> new ProcessContainer(spec, root, taskDir, timer, () -> allocations.free(handle)));
    }

    @Override
    public List<String> listOwned() {
        return allocations.list().stream().sorted().toList();
    }

    /** Kills the session recorded in the pid file, only if its pid still names the process this runtime started. */
    @Override
    void teardown(String handle) {
        ProcessSession.fromPidFile(allocations.root(handle).resolve("pid")).ifPresent(ProcessSession::kill);
    }
}
