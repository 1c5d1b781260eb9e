package dev.corkboard.executor.runtime;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Runs each task in a bubblewrap sandbox (see {@link SandboxCommand} for what the task sees) inside an
 * executor-owned cgroup named by its handle that enforces memory (without swap), pids and CPU weight. Memory and pids
 * limit hits are read from the cgroup's counters; the timeout and {@link Container#stop} kill the whole cgroup. The
 * task runs as the unprivileged host uid and gid of {@link RuntimeSettings#taskUid()}, which own its task directory.
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
public final class SandboxRuntime extends AllocatingRuntime {

    public static final String NAME = "sandbox";
    static final Path BWRAP = Path.of("/usr/bin/bwrap");

    private final CgroupTree cgroups;
    private final int taskUid;
    private final int taskGid;

    private SandboxRuntime(RuntimeSettings settings, CgroupTree cgroups) {
        super(NAME, settings);
        this.cgroups = cgroups;
        this.taskUid = settings.taskUid();
        this.taskGid = settings.taskGid();
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
        for (Path tool : List.of(SandboxCommand.UNSHARE, SandboxCommand.SETPRIV)) {
            if (!Files.isExecutable(tool)) {
                throw new ContainerException("the sandbox runtime needs " + tool + " (Debian package util-linux)");
            }
        }
        return new SandboxRuntime(settings, CgroupTree.open(CgroupTree.MOUNT, settings.cgroupRoot()));
    }

    @Override
    public Container create(ContainerSpec spec) throws ContainerException {
        TaskLimits limits = allocations.admit(spec);
        String handle = spec.handle();
        Map<String, String> env = SandboxCommand.environment(spec);
        return allocations.allocate(handle, limits, (root, taskDir) -> {
            SandboxCommand.writeEtc(root.resolve("etc"), SandboxCommand.HOSTNAME);
            ContainerDirectories.giveToTask(taskDir, taskUid, taskGid);
            Cgroup cgroup = cgroups.create(handle, limits);
            return new SandboxContainer(spec, BWRAP, root, taskDir, cgroup, limits, env, taskUid, taskGid, timer,
                    () -> allocations.free(handle));
        });
    }

    /** Handles with a container directory or a cgroup under the root that start with the owner prefix. */
    @Override
    public List<String> listOwned() {
        TreeSet<String> handles = new TreeSet<>(allocations.list());
        handles.addAll(cgroups.list(allocations::owns));
        return List.copyOf(handles);
    }

    /** Kills everything in the cgroup and removes its directories. */
    @Override
    void teardown(String handle) {
        cgroups.remove(handle);
    }
}
