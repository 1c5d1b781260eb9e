package dev.corkboard.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which task cgroups {@code down} may remove, on fake cgroup mounts. */
class TaskCgroupsTest {

    private static final List<String> EXECUTORS = List.of("executor-1-c0ffee", "executor-2-c0ffee");

    @TempDir
    Path mount;

    @Test
    void onV1OnlyThisClustersExecutorsTaskCgroupsInEveryHierarchyAreSelected() throws IOException {
        for (String hierarchy : List.of("memory", "pids")) {
            cgroups(mount.resolve(hierarchy).resolve("corkboard"), "corkboard-executor-1-c0ffee-t1",
                    "corkboard-executor-2-c0ffee-t2",
                    // another local cluster's executor-1, and this cluster's id on an executor it does not have
                    "corkboard-executor-1-beef00-t3", "corkboard-executor-10-c0ffee-t4",
                    // an executor started by hand
                    "corkboard-cell-7-t5");
        }
        cgroups(mount.resolve("memory").resolve("other-root"), "corkboard-executor-1-c0ffee-t6");

        assertEquals(Set.of("memory/corkboard/corkboard-executor-1-c0ffee-t1",
                "memory/corkboard/corkboard-executor-2-c0ffee-t2", "pids/corkboard/corkboard-executor-1-c0ffee-t1",
                "pids/corkboard/corkboard-executor-2-c0ffee-t2"), selected());
    }

    @Test
    void onV2TheTaskCgroupsAreUnderTheOneRoot() throws IOException {
        Files.writeString(mount.resolve("cgroup.controllers"), "cpu memory pids\n");
        cgroups(mount.resolve("corkboard"), "corkboard-executor-2-c0ffee-t1", "corkboard-executor-2-beef00-t2");
        // on a v2 host a directory beside the root is a cgroup, not a v1 hierarchy
        cgroups(mount.resolve("memory").resolve("corkboard"), "corkboard-executor-2-c0ffee-t3");

        assertEquals(Set.of("corkboard/corkboard-executor-2-c0ffee-t1"), selected());
    }

    @Test
    void withoutACorkboardRootNothingIsSelected() {
        assertEquals(Set.of(), selected());
    }

    @Test
    void aCgroupWithAProcessBelowItIsBusy() throws IOException {
        Path task = cgroups(mount.resolve("corkboard"), "corkboard-executor-1-c0ffee-t1").get(0);
        Path child = Files.createDirectories(task.resolve("payload"));
        Files.writeString(task.resolve("cgroup.procs"), "");
        Files.writeString(child.resolve("cgroup.procs"), "4242\n");

        assertTrue(TaskCgroups.busy(task));

        Files.writeString(child.resolve("cgroup.procs"), "");
        assertFalse(TaskCgroups.busy(task));
    }

    @Test
    void removalTakesTheDeepestCgroupFirst() throws IOException {
        Path task = cgroups(mount.resolve("corkboard"), "corkboard-executor-1-c0ffee-t1").get(0);
        Files.createDirectories(task.resolve("a").resolve("b"));

        TaskCgroups.remove(task);

        assertFalse(Files.exists(task));
    }

    private Set<String> selected() {
        Set<String> relative = new TreeSet<>();
        TaskCgroups.owned(mount, EXECUTORS).forEach(path -> relative.add(mount.relativize(path).toString()));
        return relative;
    }

    private static List<Path> cgroups(Path root, String... names) throws IOException {
        List<Path> created = new ArrayList<>();
        for (String name : names) {
            created.add(Files.createDirectories(root.resolve(name)));
        }
        return created;
    }
}
