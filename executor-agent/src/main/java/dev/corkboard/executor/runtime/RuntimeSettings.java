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
 */
public record RuntimeSettings(Path workDir, String cgroupRoot, String ownerPrefix, int defaultMemoryMb,
        int defaultMaxPids, long hostMemoryBudgetMb, Optional<Path> rootFsDir) {

    /** Characters allowed in handles, owner prefixes and the cgroup root: they become file names. */
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,199}");

    public static final String DEFAULT_CGROUP_ROOT = "corkboard";

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
        return new RuntimeSettings(workDir, cgroupRoot, ownerPrefix, defaultMemoryMb, defaultMaxPids, mb, rootFsDir);
    }
}
