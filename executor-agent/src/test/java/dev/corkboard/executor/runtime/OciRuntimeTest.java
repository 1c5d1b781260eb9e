package dev.corkboard.executor.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class OciRuntimeTest extends IsolatedRuntimeContract {

    OciRuntimeTest() {
        super(OciRuntime.NAME, OciBundle.HOSTNAME);
    }

    /** The handle's cgroup directories that exist, in any hierarchy (runc makes one in every v1 controller). */
    @Override
    List<Path> cgroupDirs(String handle) throws IOException {
        List<Path> found = new ArrayList<>();
        Path unified = CgroupTree.MOUNT.resolve(RuntimeFixture.CGROUP_ROOT).resolve(handle);
        if (Files.exists(unified)) {
            found.add(unified);
        }
        try (DirectoryStream<Path> hierarchies = Files.newDirectoryStream(CgroupTree.MOUNT, Files::isDirectory)) {
            for (Path hierarchy : hierarchies) {
                Path dir = hierarchy.resolve(RuntimeFixture.CGROUP_ROOT).resolve(handle);
                if (Files.exists(dir)) {
                    found.add(dir);
                }
            }
        }
        return found;
    }

    /** The container directory with the bundle, and runc's state. */
    @Override
    List<Path> containerFiles(String handle) {
        return List.of(workDir.resolve("containers").resolve(handle), workDir.resolve("oci").resolve(handle));
    }

    @Test
    void aRootFsDirectoryIsTheContainersRootAndStaysUntouched() throws Exception {
        Path rootFs = Files.createDirectory(workDir.resolve(RuntimeFixture.IMAGES).resolve("rootfs"));
        copyWithLibraries(Path.of("/bin/sh"), rootFs);
        Files.writeString(rootFs.resolve("only-here.txt"), "from the root_fs\n");
        List<String> before = listing(rootFs);

        ExitOutcome outcome = runToEnd(SpecBuilder.shell(fixture.handle(), String.join("; ",
                "read line < /only-here.txt; echo \"$line\"",
                "[ -e /usr/bin/env ] && echo host-usr-present",
                "echo x > /task/x && echo task-writable",
                "echo x > /only-here.txt || echo root-read-only",
                "true")).rootFs("rootfs"));

        assertEquals(new ExitOutcome.Exited(0), outcome, output.stderr()::toString);
        assertEquals(List.of("from the root_fs", "task-writable", "root-read-only"), output.stdout());
        assertEquals(before, listing(rootFs));
    }

    /** A mount inside the root_fs (a volume, a host path bound there) is as read-only to the task as the rest. */
    @Test
    void mountsInsideTheRootFsAreReadOnlyToo() throws Exception {
        Path rootFs = Files.createDirectory(workDir.resolve(RuntimeFixture.IMAGES).resolve("rootfs"));
        copyWithLibraries(Path.of("/bin/sh"), rootFs);
        Path volume = Files.createDirectories(rootFs.resolve("data/volume"));
        assertEquals(0, new ProcessBuilder("mount", "-t", "tmpfs", "corkboard-test", volume.toString()).inheritIO()
                .start().waitFor());
        try {
            ExitOutcome outcome = runToEnd(SpecBuilder.shell(fixture.handle(),
                    "echo x > /data/volume/x && echo volume-writable; echo x > /data/x && echo data-writable; true")
                    .rootFs("rootfs"));

            assertEquals(new ExitOutcome.Exited(0), outcome, output.stderr()::toString);
            assertEquals(List.of(), output.stdout());
            assertFalse(Files.exists(volume.resolve("x")));
        } finally {
            new ProcessBuilder("umount", volume.toString()).inheritIO().start().waitFor();
        }
    }

    @Test
    void aRootFsOutsideTheExecutorsRootFilesystemsIsRefused() throws Exception {
        Path images = workDir.resolve(RuntimeFixture.IMAGES);
        Files.createSymbolicLink(images.resolve("escape"), Path.of("/"));
        for (String rootFs : List.of("/", "/etc", "../containers", "missing", "escape", ".", workDir.toString())) {
            ContainerException refused = assertThrows(ContainerException.class, () -> runtime.create(
                    SpecBuilder.command(fixture.handle(), "true").rootFs(rootFs).build()), rootFs);
            assertTrue(refused.getMessage().contains("root_fs '" + rootFs + "'"), refused.getMessage());
        }
        assertEquals(List.of(), runtime.listOwned());
    }

    @Test
    void anExecutorWithoutRootFilesystemsRefusesEveryRootFs() throws Exception {
        RuntimeSettings none = new RuntimeSettings(workDir.resolve("bare"), RuntimeFixture.CGROUP_ROOT,
                fixture.settings.ownerPrefix(), 64, 256, 0);
        try (RuntimeFixture bare = new RuntimeFixture(none, OciRuntime.NAME)) {
            ContainerException refused = assertThrows(ContainerException.class, () -> bare.runtime.create(
                    SpecBuilder.command(bare.handle(), "true").rootFs("debian-12").build()));
            assertTrue(refused.getMessage().contains("offers no root filesystems"), refused.getMessage());
        }
    }

    /** Copies {@code program} and the shared libraries ldd names for it into {@code root} at the same paths. */
    private static void copyWithLibraries(Path program, Path root) throws Exception {
        List<Path> files = new ArrayList<>(List.of(program));
        Process ldd = new ProcessBuilder("ldd", program.toString()).redirectErrorStream(true).start();
        Matcher library = Pattern.compile("(/\\S+)").matcher(new String(ldd.getInputStream().readAllBytes()));
        assertEquals(0, ldd.waitFor());
        while (library.find()) {
            files.add(Path.of(library.group(1)));
        }
        for (Path file : files) {
            Path copy = root.resolve(file.toString().substring(1));
            Files.createDirectories(copy.getParent());
            Files.copy(file, copy);
            Files.setPosixFilePermissions(copy, Files.getPosixFilePermissions(file));
        }
    }

    private static List<String> listing(Path root) throws IOException {
        try (var paths = Files.walk(root)) {
            return paths.map(path -> root.relativize(path).toString()).sorted().toList();
        }
    }
}
