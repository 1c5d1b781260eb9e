package dev.corkboard.executor.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Resolves a task's {@code root_fs} against the executor's directory of root filesystems. Only directories inside it
 * can become a container's root: runc binds the root as root, so a root of its own choosing ({@code /}, another
 * task's directory, the agent's keys) would show the task whatever of the host its uid may read there.
 */
final class RootFsDirectory {

    private RootFsDirectory() {}

    /**
     * The host directory {@code rootFs} names, or empty when it names none ("" : the host's {@code /usr} view).
     *
     * @param dir the executor's root filesystem directory, if it has one
     * @param rootFs a name such as {@code debian-12} (or an absolute path inside {@code dir})
     * @throws ContainerException when the executor has no such directory, or the name leaves it or is not in it
     */
    static Optional<Path> resolve(Optional<Path> dir, String rootFs) throws ContainerException {
        if (rootFs.isEmpty()) {
            return Optional.empty();
        }
        if (dir.isEmpty()) {
            throw new ContainerException("root_fs '" + rootFs + "' asked for, but this executor offers no root"
                    + " filesystems (--root-fs-dir is not set)");
        }
        try {
            Path base = dir.get().toRealPath();
            Path named = dir.get().resolve(rootFs).normalize();
            if (!named.startsWith(dir.get()) || named.equals(dir.get()) || !Files.isDirectory(named)) {
                throw notOffered(rootFs, dir.get());
            }
            // a symlink inside the directory must not lead out of it either
            Path real = named.toRealPath();
            if (!real.startsWith(base) || real.equals(base)) {
                throw notOffered(rootFs, dir.get());
            }
            return Optional.of(real);
        } catch (IOException e) {
            throw new ContainerException("root_fs '" + rootFs + "' cannot be resolved under " + dir.get() + ": " + e,
                    e);
        }
    }

    private static ContainerException notOffered(String rootFs, Path dir) {
        return new ContainerException("root_fs '" + rootFs + "' is not one of this executor's root filesystems (the"
                + " directories in " + dir + ")");
    }
}
