package dev.corkboard.executor.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * The on-disk layout of a runtime's containers. Each container owns {@code <workDir>/containers/<handle>/}:
 * <pre>
 *   task/   the task directory: {@code /task} inside a sandbox, the working directory of a process
 *   etc/    generated passwd, group and hosts bound read-only into a sandbox
 *   tmp/    TMPDIR of a process container (a sandbox has its own tmpfs)
 *   pid     "pid starttime" of a process container's session leader, for destroy after a crash
 * </pre>
 * Only {@code task/} is visible to, and writable by, the task; the rest is the runtime's bookkeeping, out of the
 * task's reach.
 */
final class ContainerDirectories {

    private final Path containers;
    private final String ownerPrefix;

    ContainerDirectories(Path workDir, String ownerPrefix) {
        this.containers = workDir.resolve("containers");
        this.ownerPrefix = ownerPrefix;
    }

    /** Whether {@code handle} is one of ours and safe as a file name. */
    boolean owns(String handle) {
        return handle != null && handle.startsWith(ownerPrefix) && RuntimeSettings.NAME.matcher(handle).matches();
    }

    /** @throws ContainerException when the handle is not a safe name starting with the owner prefix */
    void checkHandle(String handle) throws ContainerException {
        if (!owns(handle)) {
            throw new ContainerException("handle '" + handle + "' must start with '" + ownerPrefix
                    + "' and match " + RuntimeSettings.NAME);
        }
    }

    Path root(String handle) {
        return containers.resolve(handle);
    }

    Path task(String handle) {
        return root(handle).resolve("task");
    }

    /**
     * Creates the container directory with its {@code task/}, {@code etc/} and {@code tmp/}.
     *
     * @throws ContainerException when it already exists (handles are unique) or cannot be created
     */
    Path create(String handle) throws ContainerException {
        Path root = root(handle);
        try {
            Files.createDirectories(containers);
            Files.createDirectory(root);
            Files.createDirectory(root.resolve("task"));
            Files.createDirectory(root.resolve("etc"));
            Files.createDirectory(root.resolve("tmp"));
            return root;
        } catch (java.nio.file.FileAlreadyExistsException e) {
            throw new ContainerException("container " + handle + " already exists at " + root);
        } catch (IOException e) {
            throw new ContainerException("cannot create container directory " + root + ": " + e, e);
        }
    }

    /** Handles with a container directory on disk. */
    List<String> list() {
        List<String> handles = new ArrayList<>();
        if (!Files.isDirectory(containers)) {
            return handles;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(containers)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (owns(name)) {
                    handles.add(name);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + containers, e);
        }
        return handles;
    }

    /**
     * Deletes the container directory and everything in it, without following symlinks the task left. Missing is
     * fine.
     *
     * @throws UncheckedIOException when something cannot be deleted
     */
    void delete(String handle) {
        Path root = root(handle);
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException failure) throws IOException {
                    if (failure != null && !(failure instanceof NoSuchFileException)) {
                        throw failure;
                    }
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException failure) throws IOException {
                    if (failure instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE;
                    }
                    throw failure;
                }
            });
        } catch (NoSuchFileException e) {
            // already gone
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete container directory " + root, e);
        }
    }
}
