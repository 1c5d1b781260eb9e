package dev.corkboard.executor.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The on-disk layout of a runtime's containers. Each container owns {@code <workDir>/containers/<handle>/}:
 * <pre>
 *   task/   the task directory: {@code /task} inside a sandbox, the working directory of a process
 *   etc/    generated passwd, group and hosts bound read-only into a sandbox
 *   tmp/    TMPDIR of a process container (a sandbox has its own tmpfs)
 *   pid     "pid starttime" of a process container's session leader, for destroy after a crash
 * </pre>
 * Only {@code task/} is visible to, and writable by, the task; the rest is the runtime's bookkeeping, out of the
 * task's reach. {@code containers/} and each container directory are root's alone (mode 700): no other host user
 * reaches what a task left. The isolated runtimes give {@code task/} to the task's unprivileged host uid
 * ({@link #giveToTask}); the process runtime leaves it the agent's.
 */
final class ContainerDirectories {

    private static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rwx------");

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
            // what a task leaves in task/ (a setuid copy of a shell) is its host uid's, or the agent's in the process
            // runtime: no other host user may get there, whatever the work directory's own mode
            if (!Files.getPosixFilePermissions(containers).equals(PRIVATE)) {
                Files.setPosixFilePermissions(containers, PRIVATE);
            }
            Files.createDirectory(root, PosixFilePermissions.asFileAttribute(PRIVATE));
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

    /**
     * Gives a task directory just created to the task's unprivileged host uid and gid, so the task writes it as itself
     * (the agent, root, still reads and deletes whatever it leaves there).
     */
    static void giveToTask(Path taskDir, int uid, int gid) throws IOException {
        Files.setAttribute(taskDir, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(taskDir, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
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
     * <p>Every step is relative to an open directory (openat, unlinkat), never a path from the host's root: a tree the
     * task built deeper than a host path can name (PATH_MAX) goes as well, and a directory the task swaps for a symlink
     * meanwhile is not followed. Subdirectories deeper than {@value #MAX_OPEN_DEPTH} levels are first moved up to the
     * container directory, so the open directories (and the stack) stay bounded however deep the tree.
     *
     * @throws UncheckedIOException when something cannot be deleted
     */
    void delete(String handle) {
        Path root = root(handle);
        Path name = root.getFileName();
        try (SecureDirectoryStream<Path> parent = secure(Files.newDirectoryStream(containers))) {
            int[] moved = {0};
            boolean again = true;
            while (again) {
                // a fresh stream per round: what was moved up in the last one is listed and deleted in this one
                try (SecureDirectoryStream<Path> top = parent.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS)) {
                    again = empty(top, top, 0, moved);
                }
            }
            parent.deleteDirectory(name);
        } catch (NoSuchFileException e) {
            // already gone
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete container directory " + root, e);
        }
    }

    static final int MAX_OPEN_DEPTH = 32;

    /**
     * Deletes what is in {@code dir}, moving subdirectories at {@link #MAX_OPEN_DEPTH} up into {@code top} instead of
     * descending further; true when it moved any (so {@code top} has entries again).
     */
    private static boolean empty(SecureDirectoryStream<Path> dir, SecureDirectoryStream<Path> top, int depth,
            int[] moved) throws IOException {
        List<Path> names = new ArrayList<>();
        for (Path entry : dir) {
            names.add(entry.getFileName());
        }
        boolean movedAny = false;
        for (Path name : names) {
            BasicFileAttributes attrs;
            try {
                attrs = dir.getFileAttributeView(name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                        .readAttributes();
            } catch (NoSuchFileException e) {
                continue;
            }
            try {
                if (!attrs.isDirectory()) {
                    dir.deleteFile(name);
                } else if (depth >= MAX_OPEN_DEPTH) {
                    dir.move(name, top, Path.of("deep-" + moved[0]++));
                    movedAny = true;
                } else {
                    try (SecureDirectoryStream<Path> child = dir.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS)) {
                        movedAny |= empty(child, top, depth + 1, moved);
                    }
                    dir.deleteDirectory(name);
                }
            } catch (NoSuchFileException e) {
                // gone meanwhile
            }
        }
        return movedAny;
    }

    private static SecureDirectoryStream<Path> secure(DirectoryStream<Path> stream) throws IOException {
        if (stream instanceof SecureDirectoryStream<Path> secure) {
            return secure;
        }
        stream.close();
        throw new IOException("this platform offers no directory-relative deletion (SecureDirectoryStream)");
    }
}
