package dev.corkboard.executor.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each task in a bubblewrap sandbox (see {@link SandboxCommand} for what the task sees) inside an
 * executor-owned cgroup named by its handle that enforces memory (without swap), pids and CPU weight. Memory and pids
 * limit hits are read from the cgroup's counters; the timeout and {@link Container#stop} kill the whole cgroup.
 *
 * <p>{@code --die-with-parent} ties a sandbox to the JVM <em>thread</em> that called {@link Container#start}: when
 * that thread ends, the kernel kills the sandbox. Start each container from a thread that lives until its
 * {@link Container#await()} returns, never from a pool thread that may be retired.
 *
 * <p>Admission: {@link #create} refuses with {@link ContainerException.InsufficientResources} a spec whose memory
 * limit exceeds the configured host budget minus the limits of this runtime's live containers.
 *
 * <p>Works on cgroup v1 (hybrid hosts included) and pure v2 hosts, as root.
 */
public final class SandboxRuntime implements ContainerRuntime {

    public static final String NAME = "sandbox";
    static final Path BWRAP = Path.of("/usr/bin/bwrap");

    private static final Logger log = LoggerFactory.getLogger(SandboxRuntime.class);

    private final RuntimeSettings settings;
    private final ContainerDirectories dirs;
    private final CgroupTree cgroups;
    private final MemoryBudget budget;
    private final ScheduledExecutorService timer;

    private SandboxRuntime(RuntimeSettings settings, CgroupTree cgroups) {
        this.settings = settings;
        this.dirs = new ContainerDirectories(settings.workDir(), settings.ownerPrefix());
        this.cgroups = cgroups;
        this.budget = MemoryBudget.of(settings.hostMemoryBudgetMb());
        this.timer = RuntimeTimer.create(NAME);
    }

    /**
     * Checks the host and creates the executor's cgroup root.
     *
     * @throws ContainerException when bubblewrap is missing or the cgroup file system is missing a controller or is
     *     not writable; the message says which
     */
    public static SandboxRuntime open(RuntimeSettings settings) throws ContainerException {
        if (!Files.isExecutable(BWRAP)) {
            throw new ContainerException("the sandbox runtime needs bubblewrap at " + BWRAP
                    + " (Debian package bubblewrap); use the process runtime on development machines");
        }
        return new SandboxRuntime(settings, CgroupTree.open(CgroupTree.MOUNT, settings.cgroupRoot()));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Container create(ContainerSpec spec) throws ContainerException {
        String handle = spec.handle();
        dirs.checkHandle(handle);
        TaskLimits limits = TaskLimits.of(spec, settings);
        Map<String, String> env = SandboxCommand.environment(spec);
        budget.reserve(handle, limits.memoryMb());
        Path root;
        try {
            root = dirs.create(handle);
        } catch (ContainerException e) {
            budget.release(handle);
            throw e;
        }
        try {
            SandboxCommand.writeEtc(root.resolve("etc"), SandboxCommand.HOSTNAME);
            Cgroup cgroup = cgroups.create(handle, limits);
            return new SandboxContainer(spec, BWRAP, root, dirs.task(handle), cgroup, limits, env, timer,
                    () -> destroy(handle));
        } catch (ContainerException | IOException | RuntimeException e) {
            destroy(handle);
            throw e instanceof ContainerException ce ? ce
                    : new ContainerException("cannot prepare container " + handle + ": " + e, e);
        }
    }

    /** Handles with a container directory or a cgroup under the root that start with the owner prefix. */
    @Override
    public List<String> listOwned() {
        TreeSet<String> handles = new TreeSet<>(dirs.list());
        handles.addAll(cgroups.list(dirs::owns));
        return List.copyOf(handles);
    }

    /**
     * Kills everything in the cgroup, removes its directories and deletes the container directory. Failures are
     * logged and leave the container listed by {@link #listOwned()}, to be retried.
     */
    @Override
    public void destroy(String handle) {
        if (!dirs.owns(handle)) {
            log.warn("not destroying '{}': not a handle of this runtime's owner", handle);
            return;
        }
        try {
            cgroups.existing(handle).remove();
        } catch (IOException e) {
            log.warn("cannot remove cgroup of {}: {}", handle, e.getMessage());
        }
        try {
            dirs.delete(handle);
        } catch (UncheckedIOException e) {
            log.warn("cannot delete directory of {}: {}", handle, e.getMessage());
        }
        budget.release(handle);
    }

    /** Stops the runtime's timer; containers keep running and are the agent's to close or destroy. */
    @Override
    public void close() {
        timer.shutdownNow();
    }
}
