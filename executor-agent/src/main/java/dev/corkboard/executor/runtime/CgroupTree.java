package dev.corkboard.executor.runtime;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executor-owned cgroup on this host ({@code corkboard} by default) under which every task gets a cgroup named by
 * its handle. Detects the layout once: pure v2 when {@code /sys/fs/cgroup/cgroup.controllers} exists, otherwise v1
 * (hybrid hosts included: their v2 mount holds no controllers and is ignored).
 */
final class CgroupTree {

    static final Path MOUNT = Path.of("/sys/fs/cgroup");
    private static final Logger log = LoggerFactory.getLogger(CgroupTree.class);
    private static final List<String> V1_REQUIRED = List.of("memory", "pids");
    private static final List<String> V1_OPTIONAL = List.of("cpu", "freezer");

    private final boolean unified;
    private final String rootName;
    /** v1: controller → the root's directory in its hierarchy; v2: "unified" → the root's directory. */
    private final Map<String, Path> roots;

    private CgroupTree(boolean unified, String rootName, Map<String, Path> roots) {
        this.unified = unified;
        this.rootName = rootName;
        this.roots = roots;
    }

    /**
     * Finds the cgroup layout under {@code mount} and creates the executor's root cgroup {@code rootName} in it.
     *
     * @throws ContainerException naming what is missing: no memory or pids controller, a read-only cgroup file
     *     system, or (v2) controllers that cannot be enabled for the root's children
     */
    static CgroupTree open(Path mount, String rootName) throws ContainerException {
        if (Files.exists(mount.resolve("cgroup.controllers"))) {
            return openUnified(mount, rootName);
        }
        Map<String, Path> roots = new LinkedHashMap<>();
        for (String controller : V1_REQUIRED) {
            Path hierarchy = mount.resolve(controller);
            if (!Files.exists(hierarchy.resolve("cgroup.procs"))) {
                throw new ContainerException("the sandbox and oci runtimes need the cgroup v1 " + controller
                        + " controller mounted at " + hierarchy + " (or a cgroup v2 host)");
            }
            roots.put(controller, hierarchy.resolve(rootName));
        }
        for (String controller : V1_OPTIONAL) {
            if (Files.exists(mount.resolve(controller).resolve("cgroup.procs"))) {
                roots.put(controller, mount.resolve(controller).resolve(rootName));
            }
        }
        for (Path root : roots.values()) {
            createWritable(root);
        }
        return new CgroupTree(false, rootName, roots);
    }

    private static CgroupTree openUnified(Path mount, String rootName) throws ContainerException {
        Set<String> available = words(mount.resolve("cgroup.controllers"));
        for (String controller : V1_REQUIRED) {
            if (!available.contains(controller)) {
                throw new ContainerException("the sandbox and oci runtimes need the cgroup v2 " + controller
                        + " controller, " + mount + " offers " + available);
            }
        }
        Path root = mount.resolve(rootName);
        enableControllers(mount, available);
        createWritable(root);
        enableControllers(root, available);
        return new CgroupTree(true, rootName, Map.of("unified", root));
    }

    /** +memory +pids (+cpu when offered) in {@code dir}'s cgroup.subtree_control, so its children get them. */
    private static void enableControllers(Path dir, Set<String> available) throws ContainerException {
        Path control = dir.resolve("cgroup.subtree_control");
        Set<String> enabled = words(control);
        for (String controller : List.of("memory", "pids", "cpu")) {
            if (enabled.contains(controller) || !available.contains(controller)) {
                continue;
            }
            try {
                Cgroup.write(control, "+" + controller);
            } catch (IOException e) {
                throw new ContainerException("cannot enable the " + controller + " controller in " + control + " ("
                        + e.getMessage() + "); on a v2 host the executor needs a delegated cgroup without processes"
                        + " of its own, e.g. a systemd unit with Delegate=yes", e);
            }
        }
    }

    private static void createWritable(Path root) throws ContainerException {
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new ContainerException("cannot create the executor's cgroup " + root + " (" + e
                    + "); the sandbox and oci runtimes need a writable cgroup file system (run as root, not in a"
                    + " read-only /sys/fs/cgroup)", e);
        }
        if (!Files.isWritable(root.resolve("cgroup.procs"))) {
            throw new ContainerException("the executor's cgroup " + root + " is not writable");
        }
    }

    boolean unified() {
        return unified;
    }

    /** The task cgroup's path relative to the hierarchy's root, as an OCI {@code cgroupsPath}: {@code /root/handle}. */
    String relativePath(String handle) {
        return "/" + rootName + "/" + handle;
    }

    /**
     * Whether the kernel accounts swap per cgroup (v2, or v1's memory.memsw files), so that a memory+swap limit can be
     * set equal to the memory limit.
     */
    boolean swapAccounted() {
        if (unified) {
            return Files.exists(roots.get("unified").resolve("memory.swap.max"));
        }
        return Files.exists(roots.get("memory").resolve("memory.memsw.limit_in_bytes"));
    }

    /**
     * Creates the task's cgroup and writes its limits.
     *
     * @throws ContainerException when a directory or limit cannot be written; what was created is removed again
     */
    Cgroup create(String handle, TaskLimits limits) throws ContainerException {
        Cgroup cgroup = existing(handle);
        List<Path> created = new ArrayList<>();
        try {
            for (Path root : roots.values()) {
                created.add(Files.createDirectory(root.resolve(handle)));
            }
            cgroup.limit(limits);
            return cgroup;
        } catch (IOException e) {
            // only what this call created, still empty: an existing cgroup of that name is not ours to remove here
            for (Path dir : created) {
                try {
                    Files.deleteIfExists(dir);
                } catch (IOException ignored) {
                    // the create failure is the one to report
                }
            }
            throw new ContainerException("cannot create cgroup " + handle + " with " + limits + ": " + e, e);
        }
    }

    /** The cgroup of {@code handle}, whether or not it exists on the host. */
    Cgroup existing(String handle) {
        if (unified) {
            return new CgroupV2(handle, roots.get("unified").resolve(handle));
        }
        Map<String, Path> dirs = new LinkedHashMap<>();
        roots.forEach((controller, root) -> dirs.put(controller, root.resolve(handle)));
        return new CgroupV1(handle, dirs);
    }

    /**
     * Kills what is left in the handle's cgroup and removes its directories. A failure is logged and leaves the
     * cgroup listed by {@link #list}, for the next destroy to retry.
     */
    void remove(String handle) {
        try {
            existing(handle).remove();
        } catch (IOException e) {
            log.warn("cannot remove cgroup of {}: {}", handle, e.getMessage());
        }
    }

    /** Names of task cgroups under the root (in any controller) that {@code owned} accepts. */
    List<String> list(Predicate<String> owned) {
        Set<String> names = new TreeSet<>();
        for (Path root : roots.values()) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(root, Files::isDirectory)) {
                for (Path entry : entries) {
                    String name = entry.getFileName().toString();
                    if (owned.test(name)) {
                        names.add(name);
                    }
                }
            } catch (IOException e) {
                // root gone: nothing listed from it
            }
        }
        return new ArrayList<>(names);
    }

    private static Set<String> words(Path file) {
        try {
            return Set.of(Files.readString(file).trim().split("\\s+"));
        } catch (IOException e) {
            return Set.of();
        }
    }
}
