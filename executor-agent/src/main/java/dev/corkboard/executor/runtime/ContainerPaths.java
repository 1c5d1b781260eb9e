package dev.corkboard.executor.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Maps a path as the task sees it to a host path inside its task directory, the way the task's own lookup would go:
 * {@code /task} is the task directory, relative paths start there, {@code ..} and symlinks are followed component by
 * component, and anything that leaves {@code /task} (a {@code ..} too many, a symlink to {@code /etc/passwd}) yields
 * empty. Symlinks are read in the container's view: an absolute target is a container path, after
 * {@code hostToContainer} (the process runtime maps host paths of its task directory back to {@code /task}).
 *
 * <p>The answer is only as stable as the directory: read it after the container's processes are gone.
 */
final class ContainerPaths {

    static final String TASK = "/task";
    private static final int MAX_SYMLINKS = 40;

    private final Path taskDir;
    private final UnaryOperator<String> hostToContainer;

    ContainerPaths(Path taskDir, UnaryOperator<String> hostToContainer) {
        this.taskDir = taskDir;
        this.hostToContainer = hostToContainer;
    }

    Optional<Path> hostPath(String containerPath) {
        if (containerPath == null || containerPath.isEmpty() || containerPath.indexOf('\0') >= 0) {
            return Optional.empty();
        }
        Deque<String> todo = new ArrayDeque<>(split(containerPath));
        // inside == false: at the container's root, where only "task" leads anywhere we map
        boolean inside = !containerPath.startsWith("/");
        List<String> at = new ArrayList<>();
        int symlinks = 0;
        while (!todo.isEmpty()) {
            String name = todo.removeFirst();
            if (name.isEmpty() || name.equals(".")) {
                continue;
            }
            if (name.equals("..")) {
                if (at.isEmpty()) {
                    inside = false;
                } else {
                    at.remove(at.size() - 1);
                }
                continue;
            }
            if (!inside) {
                if (!name.equals("task")) {
                    return Optional.empty();
                }
                inside = true;
                continue;
            }
            at.add(name);
            Path candidate = resolve(at);
            if (Files.isSymbolicLink(candidate)) {
                if (++symlinks > MAX_SYMLINKS) {
                    return Optional.empty();
                }
                String target;
                try {
                    target = Files.readSymbolicLink(candidate).toString();
                } catch (IOException e) {
                    return Optional.empty();
                }
                at.remove(at.size() - 1);
                if (target.startsWith("/")) {
                    target = hostToContainer.apply(target);
                    at.clear();
                    inside = false;
                }
                List<String> parts = split(target);
                for (int i = parts.size() - 1; i >= 0; i--) {
                    todo.addFirst(parts.get(i));
                }
            }
        }
        return inside ? Optional.of(resolve(at)) : Optional.empty();
    }

    private Path resolve(List<String> names) {
        Path path = taskDir;
        for (String name : names) {
            path = path.resolve(name);
        }
        return path;
    }

    private static List<String> split(String path) {
        return List.of(path.split("/", -1));
    }
}
