package dev.corkboard.executor.runtime;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each task with runc, the OCI runtime, from a bundle in its container directory (see {@link OciBundle} and
 * {@link OciRootfs} for what the task sees) in an executor-owned cgroup named by its handle, which runc creates with
 * the task's memory (without swap), pids and CPU limits. Memory and pids limit hits are read from that cgroup as in
 * the sandbox runtime; the timeout and {@link Container#stop} signal and kill the cgroup directly.
 *
 * <p>runc keeps its state under {@code <workDir>/oci}, apart from any other user of runc on the host; a container
 * is known by its handle there. The task's processes are not children of the agent: they outlive it when it dies,
 * and the agent finds them on restart by {@link #listOwned()} (container directories, runc states and cgroups with
 * the owner prefix) and removes them with {@link #destroy(String)}.
 *
 * <p>runc rather than crun: crun 1.8.1 refuses hybrid cgroup hosts (v1 controllers beside an empty v2 mount) and
 * cannot keep a stopped container (and so its OOM counter) after a foreground run. Admission is the same memory
 * budget as the sandbox runtime's. Works on cgroup v1 (hybrid hosts included) and pure v2 hosts, as root.
 */
public final class OciRuntime extends AllocatingRuntime {

    public static final String NAME = "oci";
    static final Path RUNC = Path.of("/usr/sbin/runc");
    /**
     * An empty directory on which the launcher, in a mount namespace of its own, binds the container's
     * {@code bundle/rootfs} before it execs runc: runc sets up the root as the container's root, an unprivileged host
     * id that cannot pass the root-only container directories (nor whatever the work directory sits in).
     */
    static final Path ROOT_STAGE = Path.of("/run/corkboard-oci-root");

    private static final String STAGE_ROOT = "mount --bind \"$1\" \"$2\" || { echo \"corkboard: cannot stage $1\""
            + " >&2; exit 125; }; shift 2; exec \"$@\"";

    private static final Logger log = LoggerFactory.getLogger(OciRuntime.class);
    private static final long RUNC_WAIT_SECONDS = 30;

    private final CgroupTree cgroups;
    private final Path stateDir;

    private final Optional<Path> rootFsDir;
    private final int taskUid;
    private final int taskGid;

    private OciRuntime(RuntimeSettings settings, CgroupTree cgroups, Path stateDir) {
        super(NAME, settings);
        this.taskUid = settings.taskUid();
        this.taskGid = settings.taskGid();
        this.rootFsDir = settings.rootFsDir();
        this.cgroups = cgroups;
        this.stateDir = stateDir;
    }

    /**
     * Checks the host, creates the executor's cgroup root and runc's state directory.
     *
     * @throws ContainerException when runc is missing, the cgroup file system lacks a controller or is not writable,
     *     or the state directory cannot be created; the message says which
     */
    public static OciRuntime open(RuntimeSettings settings) throws ContainerException {
        if (!Files.isExecutable(RUNC)) {
            throw new ContainerException("the oci runtime needs runc at " + RUNC + " (Debian package runc)");
        }
        if (!Files.isExecutable(SandboxCommand.UNSHARE)) {
            throw new ContainerException("the oci runtime needs " + SandboxCommand.UNSHARE
                    + " (Debian package util-linux)");
        }
        try {
            Files.createDirectories(ROOT_STAGE);
        } catch (IOException e) {
            throw new ContainerException("cannot create " + ROOT_STAGE + ": " + e, e);
        }
        CgroupTree cgroups = CgroupTree.open(CgroupTree.MOUNT, settings.cgroupRoot());
        Path stateDir = settings.workDir().resolve("oci");
        try {
            Files.createDirectories(stateDir);
        } catch (IOException e) {
            throw new ContainerException("cannot create runc's state directory " + stateDir + ": " + e, e);
        }
        return new OciRuntime(settings, cgroups, stateDir);
    }

    /**
     * {@inheritDoc}
     *
     * <p>A {@code root_fs} names a directory under the executor's root filesystem directory
     * ({@link RuntimeSettings#rootFsDir()}), e.g. {@code debian-12}; the task gets it as its read-only root. A name
     * that leaves that directory (an absolute path elsewhere, {@code ..}, a symlink pointing out), one that is not
     * there, or any {@code root_fs} on an executor without such a directory is refused: a task choosing an arbitrary
     * host directory as its root would read the host as root.
     */
    @Override
    public Container create(ContainerSpec spec) throws ContainerException {
        TaskLimits limits = allocations.admit(spec);
        String handle = spec.handle();
        Map<String, String> env = SandboxCommand.environment(spec);
        Optional<Path> rootFs = rootFs(spec);
        return allocations.allocate(handle, limits, (root, taskDir) -> {
            ContainerDirectories.giveToTask(taskDir, taskUid, taskGid);
            Path bundle = root.resolve("bundle");
            OciBundle.write(bundle, ROOT_STAGE, taskDir, spec, rootFs, limits, env, cgroups.relativePath(handle),
                    cgroups.swapAccounted(), taskUid, taskGid);
            List<String> command = new ArrayList<>(List.of(SandboxCommand.UNSHARE.toString(), "--mount",
                    "--propagation", "private", "--", "/bin/sh", "-c", STAGE_ROOT, "corkboard-oci",
                    bundle.resolve("rootfs").toString(), ROOT_STAGE.toString()));
            command.addAll(runc("run", "--keep", "--bundle", bundle.toString(), handle));
            return new OciContainer(spec, command, root, taskDir, cgroups.existing(handle), limits, timer,
                    () -> allocations.free(handle));
        });
    }

    private Optional<Path> rootFs(ContainerSpec spec) throws ContainerException {
        return RootFsDirectory.resolve(rootFsDir, spec.rootFs());
    }

    /** Handles with a container directory, a runc state or a cgroup under the root that start with the owner prefix. */
    @Override
    public List<String> listOwned() {
        TreeSet<String> handles = new TreeSet<>(allocations.list());
        handles.addAll(cgroups.list(allocations::owns));
        try (DirectoryStream<Path> states = Files.newDirectoryStream(stateDir)) {
            for (Path state : states) {
                String name = state.getFileName().toString();
                if (allocations.owns(name)) {
                    handles.add(name);
                }
            }
        } catch (IOException e) {
            log.warn("cannot list runc's states in {}: {}", stateDir, e.getMessage());
        }
        return List.copyOf(handles);
    }

    /**
     * {@code runc delete --force} (kills the container, removes runc's state and the cgroups runc made), then kills
     * and removes whatever is left of the cgroup.
     */
    @Override
    void teardown(String handle) {
        runcDelete(handle);
        cgroups.remove(handle);
    }

    private void runcDelete(String handle) {
        if (!Files.exists(stateDir.resolve(handle))) {
            return;
        }
        try {
            Process delete = new ProcessBuilder(runc("delete", "--force", handle)).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!delete.waitFor(RUNC_WAIT_SECONDS, TimeUnit.SECONDS)) {
                delete.destroyForcibly();
                log.warn("runc delete {} did not finish within {} s", handle, RUNC_WAIT_SECONDS);
            } else if (delete.exitValue() != 0) {
                log.warn("runc delete {} exited with {}", handle, delete.exitValue());
            }
        } catch (IOException e) {
            log.warn("cannot run runc delete {}: {}", handle, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private List<String> runc(String... args) {
        List<String> command = new ArrayList<>(List.of(RUNC.toString(), "--root", stateDir.toString()));
        command.addAll(List.of(args));
        return command;
    }
}
