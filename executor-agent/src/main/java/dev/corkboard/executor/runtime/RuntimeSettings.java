package dev.corkboard.executor.runtime;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How a container runtime is set up on this host.
 *
 * @param workDir where containers live: {@code <workDir>/containers/<handle>}
 * @param cgroupRoot name of the executor-owned cgroup every task's cgroup is created under (sandbox only), e.g.
 *     {@code /sys/fs/cgroup/memory/corkboard/<handle>} on cgroup v1, {@code /sys/fs/cgroup/corkboard/<handle>} on v2
 * @param ownerPrefix what every handle of this runtime starts with, e.g. {@code corkboard-<executorId>-}; it is how
 *     {@link ContainerRuntime#listOwned()} recognises what this owner left behind
 * @param defaultMemoryMb memory limit of a spec that asks for 0
 * @param defaultMaxPids process limit of a spec that asks for 0
 * @param hostMemoryBudgetMb memory the runtime may hand out to live containers in total; 0: the host's MemTotal
 * @param rootFsDir the directory holding the root filesystems tasks may name in {@code root_fs} (oci runtime); empty:
 *     none, and a task naming one is refused
 * @param taskUid the host uid the task's uid 1000 maps to outside its user namespace in the sandbox and oci runtimes,
 *     and the owner of its task directory; default {@value #DEFAULT_TASK_ID}. One uid for every task of the executor
 *     (tasks never meet on the host: each has its own namespaces and a task directory behind root's mode 700 container
 *     directory); it must belong to no host user or file, and may not be 0 or one of the oci runtime's ids for the
 *     container's uids 0 to 999 ({@value OciBundle#HOST_ID_BASE} to {@value OciBundle#HOST_ID_BASE} + 999)
 * @param taskGid the host gid the task's gid 1000 maps to, likewise; default {@value #DEFAULT_TASK_ID}
 */
public record RuntimeSettings(Path workDir, String cgroupRoot, String ownerPrefix, int defaultMemoryMb,
        int defaultMaxPids, long hostMemoryBudgetMb, Optional<Path> rootFsDir, int taskUid, int taskGid) {

    /** Characters allowed in handles, owner prefixes and the cgroup root: they become file names. */
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,199}");

    public static final String DEFAULT_CGROUP_ROOT = "corkboard";
    /**
     * Host uid and gid of every task by default: right after the oci runtime's ids for the container's uids 0 to 999,
     * so the container's 0 to 1000 map to the host's 100000 to 101000.
     */
    public static final int DEFAULT_TASK_ID = 101_000;

    /**
     * @throws IllegalArgumentException naming the setting and what it accepts when a value is unusable
     */
    public RuntimeSettings {
        Objects.requireNonNull(workDir, "workDir");
        workDir = workDir.toAbsolutePath().normalize();
        Objects.requireNonNull(rootFsDir, "rootFsDir");
        rootFsDir = rootFsDir.map(dir -> dir.toAbsolutePath().normalize());
        if (!NAME.matcher(cgroupRoot).matches()) {
            throw new IllegalArgumentException("cgroupRoot must match " + NAME + ", got '" + cgroupRoot + "'");
        }
        if (!NAME.matcher(ownerPrefix).matches()) {
            throw new IllegalArgumentException("ownerPrefix must match " + NAME + ", got '" + ownerPrefix + "'"
                    + " (use ownerPrefixFor(executorId) to derive one)");
        }
        if (defaultMemoryMb < 4) {
            throw new IllegalArgumentException("defaultMemoryMb must be at least 4, got " + defaultMemoryMb);
        }
        if (defaultMaxPids < 1) {
            throw new IllegalArgumentException("defaultMaxPids must be at least 1, got " + defaultMaxPids);
        }
        if (hostMemoryBudgetMb < 0) {
            throw new IllegalArgumentException("hostMemoryBudgetMb must be 0 (the host's memory) or more, got "
                    + hostMemoryBudgetMb);
        }
        checkTaskId("taskUid", taskUid);
        checkTaskId("taskGid", taskGid);
    }

    private static void checkTaskId(String name, int id) {
        if (id < 1 || (id >= OciBundle.HOST_ID_BASE && id < OciBundle.HOST_ID_BASE + SandboxCommand.UID)) {
            throw new IllegalArgumentException(name + " must be an unprivileged host id, at least 1 and outside "
                    + OciBundle.HOST_ID_BASE + "-" + (OciBundle.HOST_ID_BASE + SandboxCommand.UID - 1) + ", got " + id);
        }
    }

    /** Settings with the default task uid and gid ({@value #DEFAULT_TASK_ID}). */
    public RuntimeSettings(Path workDir, String cgroupRoot, String ownerPrefix, int defaultMemoryMb, int defaultMaxPids,
            long hostMemoryBudgetMb, Optional<Path> rootFsDir) {
        this(workDir, cgroupRoot, ownerPrefix, defaultMemoryMb, defaultMaxPids, hostMemoryBudgetMb, rootFsDir,
                DEFAULT_TASK_ID, DEFAULT_TASK_ID);
    }

    /** Settings without root filesystems: tasks naming a {@code root_fs} are refused by the oci runtime. */
    public RuntimeSettings(Path workDir, String cgroupRoot, String ownerPrefix, int defaultMemoryMb, int defaultMaxPids,
            long hostMemoryBudgetMb) {
        this(workDir, cgroupRoot, ownerPrefix, defaultMemoryMb, defaultMaxPids, hostMemoryBudgetMb, Optional.empty());
    }

    /** Defaults: cgroup root {@code corkboard}, 512 MB and 1024 pids per task, the host's memory as budget. */
    public static RuntimeSettings defaults(Path workDir, String ownerPrefix) {
        return new RuntimeSettings(workDir, DEFAULT_CGROUP_ROOT, ownerPrefix, 512, 1024, 0);
    }

    /** {@code corkboard-<executorId>-} with every character outside {@code [A-Za-z0-9._-]} replaced by {@code _}. */
    public static String ownerPrefixFor(String executorId) {
        return "corkboard-" + executorId.replaceAll("[^A-Za-z0-9._-]", "_") + "-";
    }

    public RuntimeSettings withHostMemoryBudgetMb(long mb) {
        return new RuntimeSettings(workDir, cgroupRoot, ownerPrefix, defaultMemoryMb, defaultMaxPids, mb, rootFsDir,
                taskUid, taskGid);
    }

    public RuntimeSettings withTaskIds(int uid, int gid) {
        return new RuntimeSettings(workDir, cgroupRoot, ownerPrefix, defaultMemoryMb, defaultMaxPids,
                hostMemoryBudgetMb, rootFsDir, uid, gid);
    }
}
