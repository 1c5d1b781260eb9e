package dev.corkboard.executor.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class SandboxRuntimeTest extends IsolatedRuntimeContract {

    SandboxRuntimeTest() {
        super(SandboxRuntime.NAME, SandboxCommand.HOSTNAME);
    }

    /** The unified cgroup, or the pids and memory ones the sandbox makes on v1, whether they exist or not. */
    @Override
    List<Path> cgroupDirs(String handle) {
        Path mount = CgroupTree.MOUNT;
        if (Files.exists(mount.resolve("cgroup.controllers"))) {
            return List.of(mount.resolve(RuntimeFixture.CGROUP_ROOT).resolve(handle));
        }
        // memory and pids always; cpu and freezer where the host mounts them, as the runtime does
        return List.of("pids", "memory", "cpu", "freezer").stream()
                .filter(controller -> controller.equals("pids") || controller.equals("memory")
                        || Files.isDirectory(mount.resolve(controller)))
                .map(controller -> mount.resolve(controller).resolve(RuntimeFixture.CGROUP_ROOT).resolve(handle))
                .toList();
    }

    @Override
    List<Path> containerFiles(String handle) {
        return List.of(workDir.resolve("containers").resolve(handle));
    }

    @Test
    void memoryBeyondTheBudgetIsInsufficientResourcesUntilAContainerIsClosed() throws Exception {
        try (RuntimeFixture small = new RuntimeFixture(fixture.settings.withHostMemoryBudgetMb(100), runtimeName)) {
            Container first = small.runtime.create(SpecBuilder.command(small.handle(), "true").memoryMb(64).build());

            assertThrows(ContainerException.InsufficientResources.class,
                    () -> small.runtime.create(SpecBuilder.command(small.handle(), "true").memoryMb(64).build()));

            first.close();
            small.runtime.create(SpecBuilder.command(small.handle(), "true").memoryMb(64).build()).close();
        }
    }

    @Test
    void listOwnedShowsOnlyThisOwnersContainers() throws Exception {
        try (RuntimeFixture other = new RuntimeFixture(workDir, runtimeName)) {
            Container mine = runtime.create(SpecBuilder.command(fixture.handle(), "true").build());
            other.runtime.create(SpecBuilder.command(other.handle(), "true").build());

            assertEquals(List.of(mine.handle()), runtime.listOwned());
        }
    }

    @Test
    void aHandleWithoutTheOwnerPrefixIsRefused() {
        assertThrows(ContainerException.class,
                () -> runtime.create(SpecBuilder.command("someone-else-task", "true").build()));
        assertThrows(ContainerException.class,
                () -> runtime.create(SpecBuilder.command(fixture.settings.ownerPrefix() + "../x", "true").build()));
    }

    /** The sandbox makes the cgroup when the container is created, before anything runs in it. */
    @Test
    void closeRemovesCgroupAndTaskDirectoryOfAContainerThatNeverRan() throws Exception {
        String handle = fixture.handle();
        Container container = runtime.create(SpecBuilder.command(handle, "true").build());
        assertCgroupPresent(handle);

        container.close();
        container.close();

        assertCgroupAndFilesGone(handle);
        assertEquals(List.of(), runtime.listOwned());
    }
}
