package dev.corkboard.manifests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * The Kubernetes manifests of deploy/k8s under a repository root, parsed, with the checks of their structure, of the
 * workloads that run each component, and of the settings their containers pass. Each check returns its problems,
 * one line each, empty when all is well; {@link KubernetesReferences} checks the names that tie documents together.
 */
final class KubernetesManifests {

    static final String DIR = "deploy/k8s";
    private static final String KUSTOMIZATION = "kustomization.yaml";
    private static final Set<String> WORKLOADS = Set.of("Deployment", "DaemonSet", "StatefulSet");
    private static final String IMAGE_PREFIX = "corkboard/";
    private static final Pattern REFERENCE = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");

    /** One YAML document of a manifest file. */
    record Document(String file, Node node) {

        String kind() {
            return node.get("kind").text();
        }

        String name() {
            return node.at("metadata.name").text();
        }

        boolean workload() {
            return WORKLOADS.contains(kind());
        }

        Node podSpec() {
            return node.at("spec.template.spec");
        }

        Map<String, String> podLabels() {
            return node.at("spec.template.metadata.labels").strings();
        }

        List<Node> containers() {
            List<Node> containers = new ArrayList<>(podSpec().get("initContainers").items());
            containers.addAll(podSpec().get("containers").items());
            return containers;
        }
    }

    final Path root;
    final List<Document> documents;
    final Node kustomization;
    private final List<String> parseProblems;

    private KubernetesManifests(Path root, List<Document> documents, Node kustomization, List<String> parseProblems) {
        this.root = root;
        this.documents = documents;
        this.kustomization = kustomization;
        this.parseProblems = parseProblems;
    }

    /** Parses every *.yaml file of deploy/k8s; a file that does not parse is a structure problem. */
    static KubernetesManifests load(Path root) {
        List<Document> documents = new ArrayList<>();
        Node kustomization = Node.ABSENT;
        List<String> parseProblems = new ArrayList<>();
        for (Path file : yamlFiles(root)) {
            String name = file.getFileName().toString();
            try {
                for (Object parsed : new Load(LoadSettings.builder().build()).loadAllFromString(Checkout.read(file))) {
                    if (parsed == null) {
                        continue;
                    }
                    if (name.equals(KUSTOMIZATION)) {
                        kustomization = new Node(parsed);
                    } else {
                        documents.add(new Document(name, new Node(parsed)));
                    }
                }
            } catch (YamlEngineException e) {
                parseProblems.add(name + ": does not parse: " + e.getMessage());
            }
        }
        return new KubernetesManifests(root, documents, kustomization, parseProblems);
    }

    /**
     * Every file parses; every document has an apiVersion, a kind and a name, and lives in the kustomization's
     * namespace, which one of them creates; the kustomization lists exactly the manifest files there are.
     */
    List<String> structureProblems() {
        List<String> problems = new ArrayList<>(parseProblems);
        String namespace = kustomization.get("namespace").text();
        require(problems, kustomization.get("kind").text().equals("Kustomization"), KUSTOMIZATION + ": missing");
        require(problems, !namespace.isEmpty(), KUSTOMIZATION + ": sets no namespace");
        for (Document document : documents) {
            String where = document.file() + " " + document.kind() + " " + document.name();
            require(problems, document.node().get("apiVersion").present() && !document.kind().isEmpty()
                    && !document.name().isEmpty(), where + ": needs apiVersion, kind and metadata.name");
            if (!document.kind().equals("Namespace")) {
                require(problems, document.node().at("metadata.namespace").text().equals(namespace),
                        where + ": not in namespace " + namespace);
            }
        }
        require(problems, documents.stream().anyMatch(d -> d.kind().equals("Namespace") && d.name().equals(namespace)),
                "no Namespace " + namespace);
        Set<String> listed = new TreeSet<>(kustomization.get("resources").items().stream().map(Node::text).toList());
        Set<String> files = new TreeSet<>(yamlFiles(root).stream().map(file -> file.getFileName().toString())
                .filter(name -> !name.equals(KUSTOMIZATION)).toList());
        require(problems, listed.equals(files), KUSTOMIZATION + ": resources " + listed + " are not the files "
                + files);
        return problems;
    }

    /**
     * Every container runs an image deploy/docker builds; the executor (root) runs as a privileged DaemonSet, the
     * others as Deployments of two or more non-root replicas; every container requests and caps its memory.
     */
    List<String> workloadProblems() {
        List<String> problems = new ArrayList<>();
        Set<Component> deployed = new TreeSet<>();
        for (Document workload : workloads()) {
            for (Node container : workload.containers()) {
                String where = workload.file() + " " + workload.name() + "/" + container.get("name").text();
                Optional<Component> component = componentOf(container);
                if (component.isEmpty()) {
                    problems.add(where + ": image " + container.get("image").text() + " is no " + IMAGE_PREFIX
                            + "<module> that " + Dockerfiles.DIR + " builds");
                    continue;
                }
                Component process = component.get();
                deployed.add(process);
                require(problems, container.at("resources.requests.memory").present()
                        && container.at("resources.limits.memory").present(), where + ": memory request and limit");
                if (process.needsRoot) {
                    require(problems, workload.kind().equals("DaemonSet"), where + ": expected a DaemonSet");
                    require(problems, container.at("securityContext.privileged").text().equals("true"),
                            where + ": expected privileged (cgroups and namespaces for every task)");
                } else {
                    require(problems, workload.kind().equals("Deployment")
                            && Integer.parseInt(workload.node().at("spec.replicas").text().isEmpty() ? "1"
                                    : workload.node().at("spec.replicas").text()) >= 2,
                            where + ": expected a Deployment of two or more replicas");
                    require(problems, workload.podSpec().at("securityContext.runAsNonRoot").text().equals("true"),
                            where + ": expected runAsNonRoot");
                }
            }
        }
        for (Component component : Component.values()) {
            require(problems, deployed.contains(component), "no workload runs " + component.module);
        }
        for (Node image : kustomization.get("images").items()) {
            require(problems, moduleOfImage(image.get("name").text()).isPresent(),
                    KUSTOMIZATION + ": image " + image.get("name").text() + " is built by no Dockerfile");
        }
        return problems;
    }

    /**
     * Every variable a container gets (its env, and the keys of the ConfigMaps it takes whole) is a setting of its
     * component, JAVA_OPTS, or a helper another of its values refers to as {@code $(NAME)}; every flag in its args is
     * the component's; every {@code CORKBOARD_*} word in any file of deploy/k8s is some component's setting.
     */
    List<String> settingProblems() {
        List<String> problems = new ArrayList<>();
        for (Document workload : workloads()) {
            for (Node container : workload.containers()) {
                Optional<Component> component = componentOf(container);
                if (component.isEmpty()) {
                    continue;
                }
                String where = workload.file() + " " + workload.name() + "/" + container.get("name").text();
                Set<String> referenced = new TreeSet<>();
                for (Node variable : container.get("env").items()) {
                    Matcher matcher = REFERENCE.matcher(variable.get("value").text());
                    while (matcher.find()) {
                        referenced.add(matcher.group(1));
                    }
                }
                for (Node variable : container.get("env").items()) {
                    problems.addAll(variableProblems(where, variable.get("name").text(), component.get(),
                            referenced));
                }
                for (Node source : container.get("envFrom").items()) {
                    String map = source.at("configMapRef.name").text();
                    for (String key : configMapData(map).keySet()) {
                        problems.addAll(variableProblems(where + " (ConfigMap " + map + ")", key, component.get(),
                                Set.of()));
                    }
                }
                List<String> arguments = new ArrayList<>();
                container.get("args").items().forEach(argument -> arguments.add(argument.text()));
                problems.addAll(Settings.unknownFlags(where + " args", arguments, component.get()));
            }
        }
        try (Stream<Path> files = Files.list(root.resolve(DIR))) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                problems.addAll(Settings.unknownVariables(file.getFileName().toString(), Checkout.read(file),
                        Settings.anyComponent(), "any component"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return problems;
    }

    private static List<String> variableProblems(String where, String name, Component component,
            Set<String> referenced) {
        if (name.startsWith("CORKBOARD_")) {
            return component.variables().contains(name) ? List.of()
                    : List.of(where + ": " + name + " is no setting of " + component.module);
        }
        return name.equals("JAVA_OPTS") || referenced.contains(name) ? List.of()
                : List.of(where + ": " + name + " is neither a CORKBOARD_ setting, JAVA_OPTS nor used by another value");
    }

    List<Document> workloads() {
        return documents.stream().filter(Document::workload).toList();
    }

    List<Document> ofKind(String kind) {
        return documents.stream().filter(document -> document.kind().equals(kind)).toList();
    }

    /** The data of the ConfigMap document {@code name}; empty when there is none. */
    Map<String, String> configMapData(String name) {
        return ofKind("ConfigMap").stream().filter(map -> map.name().equals(name)).findFirst()
                .map(map -> map.node().get("data").strings()).orElse(Map.of());
    }

    /** The component whose image, {@code corkboard/<module>[:tag]}, the container runs. */
    Optional<Component> componentOf(Node container) {
        return moduleOfImage(container.get("image").text().split(":", 2)[0]).flatMap(Component::ofModule);
    }

    private Optional<String> moduleOfImage(String image) {
        if (!image.startsWith(IMAGE_PREFIX)) {
            return Optional.empty();
        }
        String module = image.substring(IMAGE_PREFIX.length());
        return Files.isRegularFile(root.resolve(Dockerfiles.DIR).resolve(module).resolve("Dockerfile"))
                ? Optional.of(module) : Optional.empty();
    }

    private static List<Path> yamlFiles(Path root) {
        try (Stream<Path> files = Files.list(root.resolve(DIR))) {
            return files.filter(file -> file.getFileName().toString().matches(".*\\.ya?ml")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void require(List<String> problems, boolean ok, String problem) {
        if (!ok) {
            problems.add(problem);
        }
    }
}
