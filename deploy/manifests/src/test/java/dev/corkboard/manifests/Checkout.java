package dev.corkboard.manifests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The repository checkout under test, and copies of its deployment files to break on purpose. */
final class Checkout {

    private static final List<String> DEPLOYMENT_DIRS = List.of(SystemdUnits.DIR, KubernetesManifests.DIR,
            Dockerfiles.DIR);

    private Checkout() {}

    /** The repository root, which the build passes as {@code corkboard.root}. */
    static Path root() {
        String root = System.getProperty("corkboard.root");
        if (root == null) {
            throw new IllegalStateException("set the system property corkboard.root to the repository root");
        }
        return Path.of(root).toAbsolutePath().normalize();
    }

    /** Copies deploy/{systemd,k8s,docker} and the components' poms into {@code target}; returns it as a root. */
    static Path copyTo(Path target) {
        Path root = root();
        try {
            for (String dir : DEPLOYMENT_DIRS) {
                try (Stream<Path> files = Files.walk(root.resolve(dir))) {
                    for (Path file : files.filter(Files::isRegularFile).toList()) {
                        Path copy = target.resolve(root.relativize(file).toString());
                        Files.createDirectories(copy.getParent());
                        Files.copy(file, copy);
                    }
                }
            }
            for (Component component : Component.values()) {
                Path pom = Path.of(component.module, "pom.xml");
                Files.createDirectories(target.resolve(component.module));
                Files.copy(root.resolve(pom), target.resolve(pom));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return target;
    }

    /** The text of a file, or an unchecked failure: the checks read files the checkout must hold. */
    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Replaces {@code from} by {@code to} in one file of a copy; fails when {@code from} is not there. */
    static void edit(Path root, String file, String from, String to) {
        Path path = root.resolve(file);
        try {
            String text = Files.readString(path);
            if (!text.contains(from)) {
                throw new IllegalArgumentException(file + " does not contain '" + from + "'");
            }
            Files.writeString(path, text.replace(from, to));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
