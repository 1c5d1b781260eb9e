package dev.corkboard.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The task cgroups a local cluster's executors leave behind. An executor's sandbox runtime creates one cgroup per task
 * under its root cgroup {@code corkboard}, named {@code corkboard-<executor id>-<task guid>}: on a v2 host under
 * {@code /sys/fs/cgroup/corkboard}, on a v1 (or hybrid) host under {@code /sys/fs/cgroup/<hierarchy>/corkboard} of
 * each hierarchy. An executor killed mid-task leaves them there, empty once the task's processes are gone. Since task
 * cgroups are host-wide, only directories named for this cluster's executor ids are ever touched, and only when no
 * process is left in them.
 */
final class TaskCgroups {

    /** Where cgroup file systems are mounted. */
    static final Path MOUNT = Path.of("/sys/fs/cgroup");

    /** The executor agent's default root cgroup. */
    static final String ROOT = "corkboard";

    private TaskCgroups() {}

    /**
     * The task cgroup directories under {@code mount} that belong to one of {@code executorIds}: pure v2 when
     * {@code mount/cgroup.controllers} exists, otherwise every v1 hierarchy's {@code corkboard} directory.
     */
    static List<Path> owned(Path mount, Collection<String> executorIds) {
        List<Path> roots = new ArrayList<>();
        if (Files.exists(mount.resolve("cgroup.controllers"))) {
            roots.add(mount.resolve(ROOT));
        } else {
            for (Path hierarchy : directories(mount)) {
                roots.add(hierarchy.resolve(ROOT));
            }
        }
        List<String> prefixes = executorIds.stream().map(TaskCgroups::ownerPrefix).toList();
        List<Path> owned = new ArrayList<>();
        for (Path root : roots) {
            for (Path cgroup : directories(root)) {
                String name = cgroup.getFileName().toString();
                if (prefixes.stream().anyMatch(name::startsWith)) {
                    owned.add(cgroup);
                }
            }
        }
        return owned;
    }

    /** What every task cgroup of {@code executorId} starts with, as the executor agent names them. */
    static String ownerPrefix(String executorId) {
        return ROOT + "-" + executorId.replaceAll("[^A-Za-z0-9._-]", "_") + "-";
    }

    /** Whether a process is still in {@code cgroup} or any cgroup below it. */
    static boolean busy(Path cgroup) {
        try (Stream<Path> procs = Files.walk(cgroup).filter(path -> path.getFileName().toString()
                .equals("cgroup.procs"))) {
            return procs.anyMatch(TaskCgroups::nonEmpty);
        } catch (IOException | UncheckedIOException e) {
            // unreadable: treat as busy, it is not ours to remove blindly
            return true;
        }
    }

    /**
     * Removes {@code cgroup} and the cgroups below it, deepest first (a cgroup is removed with rmdir, which fails
     * while it has children or processes).
     *
     * @throws IOException when one cannot be removed; those removed before it stay removed
     */
    static void remove(Path cgroup) throws IOException {
        List<Path> dirs;
        try (Stream<Path> tree = Files.walk(cgroup)) {
            dirs = tree.filter(Files::isDirectory).sorted(Comparator.comparingInt(Path::getNameCount).reversed())
                    .toList();
        }
        for (Path dir : dirs) {
            Files.delete(dir);
        }
    }

    private static boolean nonEmpty(Path procs) {
        try {
            return !Files.readString(procs).isBlank();
        } catch (IOException e) {
            return true;
        }
    }

    private static List<Path> directories(Path dir) {
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, Files::isDirectory)) {
            entries.forEach(found::add);
        } catch (IOException e) {
            // absent or unreadable: nothing of ours there
        }
        return found;
    }
}
