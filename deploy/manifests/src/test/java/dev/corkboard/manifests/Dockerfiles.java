package dev.corkboard.manifests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Checks deploy/docker under a repository root: one directory per component, named after its module, whose
 * Dockerfile copies the jar the module's build attaches and runs it with settings the component accepts.
 */
final class Dockerfiles {

    static final String DIR = "deploy/docker";

    private final Path root;

    Dockerfiles(Path root) {
        this.root = root;
    }

    /** The image directories: deploy/docker/<module>/Dockerfile. */
    List<Path> files() {
        try (Stream<Path> dirs = Files.list(root.resolve(DIR))) {
            return dirs.map(dir -> dir.resolve("Dockerfile")).filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Each Dockerfile is named after a component, copies exactly that module's shaded jar
     * ({@code <module>/target/<artifactId>-*-all.jar}, which the module's pom attaches) and runs what it copied; its
     * variables and flags are settings of that component; only the executor runs as root.
     */
    List<String> problems() {
        List<String> problems = new ArrayList<>();
        List<Component> imaged = new ArrayList<>();
        for (Path file : files()) {
            String name = root.relativize(file).toString();
            Optional<Component> component = Component.ofModule(file.getParent().getFileName().toString());
            if (component.isEmpty()) {
                problems.add(name + ": its directory names no component module");
                continue;
            }
            Component process = component.get();
            imaged.add(process);
            Dockerfile dockerfile = parse(file);
            ModulePom pom = ModulePom.read(root, process);
            if (!pom.shaded()) {
                problems.add(process.module + "/pom.xml: attaches no shaded jar (shade plugin and corkboard.main)");
            }
            List<String> copies = dockerfile.all("COPY");
            String expected = pom.shadedJarGlob(process);
            String copied = copies.size() == 1 ? copies.get(0).split("\\s+")[0] : "";
            if (!copied.equals(expected)) {
                problems.add(name + ": expected one COPY of " + expected + ", got " + copies);
            }
            String destination = copies.size() == 1 ? copies.get(0).split("\\s+")[1] : "";
            String command = String.join(" ", entrypoint(dockerfile));
            if (!Settings.jarOf(command).equals(destination)) {
                problems.add(name + ": ENTRYPOINT runs '" + Settings.jarOf(command) + "', not the copied "
                        + destination);
            }
            problems.addAll(Settings.unknownFlags(name + " ENTRYPOINT", Settings.argumentsAfterJar(command),
                    process));
            problems.addAll(Settings.unknownVariables(name, dockerfile.text(), process.variables(), process.module));
            if (process.needsRoot) {
                String installs = String.join(" ", dockerfile.all("RUN"));
                for (String tool : List.of("bubblewrap", "runc", "util-linux")) {
                    if (!installs.contains(tool)) {
                        problems.add(name + ": installs no " + tool + ", which the executor's runtimes run");
                    }
                }
            }
            String user = dockerfile.last("USER").orElse("root").split(":")[0];
            boolean root = user.equals("root") || user.equals("0");
            if (root != process.needsRoot) {
                problems.add(name + ": runs as " + user + (process.needsRoot ? ", but needs root"
                        : ", expected an unprivileged user"));
            }
        }
        for (Component component : Component.values()) {
            if (!imaged.contains(component)) {
                problems.add(DIR + ": no " + component.module + "/Dockerfile");
            }
        }
        Path readme = root.resolve(DIR).resolve("README.md");
        problems.addAll(Settings.unknownVariables(root.relativize(readme).toString(), Checkout.read(readme),
                Settings.anyComponent(), "any component"));
        return problems;
    }

    /** The ENTRYPOINT's exec form (a JSON array) as its words; a shell form is one word per blank-separated part. */
    private static List<String> entrypoint(Dockerfile dockerfile) {
        String text = dockerfile.last("ENTRYPOINT").orElse("").strip();
        if (text.startsWith("[")) {
            Object parsed = new Load(LoadSettings.builder().build()).loadFromString(text);
            List<String> words = new ArrayList<>();
            if (parsed instanceof List<?> list) {
                list.forEach(word -> words.addAll(List.of(String.valueOf(word).split("\\s+"))));
            }
            return words;
        }
        return List.of(text.split("\\s+"));
    }

    private static Dockerfile parse(Path file) {
        try {
            return Dockerfile.parse(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
