package dev.corkboard.executor.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContainerPathsTest {

    @TempDir
    Path taskDir;

    ContainerPaths paths;

    @BeforeEach
    void createPaths() throws Exception {
        Files.createDirectories(taskDir.resolve("out"));
        paths = new ContainerPaths(taskDir, target -> target);
    }

    @Test
    void pathsUnderTaskAndRelativePathsMapIntoTheTaskDirectory() {
        assertEquals(Optional.of(taskDir.resolve("out/result.json")), paths.hostPath("/task/out/result.json"));
        assertEquals(Optional.of(taskDir.resolve("out/result.json")), paths.hostPath("out/result.json"));
        assertEquals(Optional.of(taskDir.resolve("result.json")), paths.hostPath("/task/out/../result.json"));
        assertEquals(Optional.of(taskDir), paths.hostPath("/task"));
    }

    @Test
    void pathsOutsideTheTaskDirectoryAreEmpty() {
        assertEquals(Optional.empty(), paths.hostPath("/etc/passwd"));
        assertEquals(Optional.empty(), paths.hostPath("../etc/passwd"));
        assertEquals(Optional.empty(), paths.hostPath("/task/../etc/passwd"));
        assertEquals(Optional.empty(), paths.hostPath("/tasks/x"));
        assertEquals(Optional.empty(), paths.hostPath(""));
    }

    @Test
    void symlinksLeavingTheTaskDirectoryAreEmpty() throws Exception {
        Files.createSymbolicLink(taskDir.resolve("absolute"), Path.of("/etc/passwd"));
        Files.createSymbolicLink(taskDir.resolve("out/relative"), Path.of("../../etc"));

        assertEquals(Optional.empty(), paths.hostPath("absolute"));
        assertEquals(Optional.empty(), paths.hostPath("/task/out/relative/passwd"));
    }

    @Test
    void symlinksStayingInsideAreFollowedAsTheTaskSeesThem() throws Exception {
        Files.createSymbolicLink(taskDir.resolve("latest"), Path.of("/task/out"));
        Files.createSymbolicLink(taskDir.resolve("result"), Path.of("out/result.json"));

        assertEquals(Optional.of(taskDir.resolve("out/result.json")), paths.hostPath("latest/result.json"));
        assertEquals(Optional.of(taskDir.resolve("out/result.json")), paths.hostPath("/task/result"));
    }

    @Test
    void aSymlinkLoopIsEmpty() throws Exception {
        Files.createSymbolicLink(taskDir.resolve("a"), Path.of("b"));
        Files.createSymbolicLink(taskDir.resolve("b"), Path.of("a"));

        assertEquals(Optional.empty(), paths.hostPath("a"));
    }
}
