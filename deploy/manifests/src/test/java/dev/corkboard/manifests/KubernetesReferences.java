package dev.corkboard.manifests;

import static dev.corkboard.manifests.KubernetesManifests.require;

import dev.corkboard.manifests.KubernetesManifests.Document;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The names that tie the manifests together: selectors and the pod labels they must match, ports named by Services
 * and probes, and the ConfigMaps, Secrets and volumes that containers use. A name that matches nothing is a problem;
 * Kubernetes itself would accept most of them silently and fail at run time.
 */
final class KubernetesReferences {

    private final KubernetesManifests manifests;

    KubernetesReferences(KubernetesManifests manifests) {
        this.manifests = manifests;
    }

    /** Workload selectors match their own pods; every Service and PodDisruptionBudget selects some workload's pods. */
    List<String> selectorProblems() {
        List<String> problems = new ArrayList<>();
        for (Document workload : manifests.workloads()) {
            require(problems, selects(workload.node().at("spec.selector.matchLabels").strings(), workload),
                    workload.file() + " " + workload.name() + ": spec.selector does not match its pod labels");
        }
        for (Document service : manifests.ofKind("Service")) {
            require(problems, !selected(service.node().at("spec.selector").strings()).isEmpty(),
                    service.file() + " Service " + service.name() + ": selects no workload's pods");
        }
        for (Document budget : manifests.ofKind("PodDisruptionBudget")) {
            require(problems, !selected(budget.node().at("spec.selector.matchLabels").strings()).isEmpty(),
                    budget.file() + " PodDisruptionBudget " + budget.name() + ": selects no workload's pods");
        }
        return problems;
    }

    /** Service target ports and probe ports are ports the selected or probed containers declare. */
    List<String> portProblems() {
        List<String> problems = new ArrayList<>();
        for (Document service : manifests.ofKind("Service")) {
            List<Node> containers = selected(service.node().at("spec.selector").strings()).stream()
                    .flatMap(workload -> workload.containers().stream()).toList();
            for (Node port : service.node().at("spec.ports").items()) {
                Node target = port.get("targetPort").present() ? port.get("targetPort") : port.get("port");
                require(problems, containers.stream().anyMatch(container -> declares(container, target.text())),
                        service.file() + " Service " + service.name() + ": targetPort " + target.text()
                                + " is no port of the selected containers");
            }
        }
        for (Document workload : manifests.workloads()) {
            for (Node container : workload.containers()) {
                for (String probe : List.of("readinessProbe", "livenessProbe", "startupProbe")) {
                    for (String action : List.of("httpGet", "tcpSocket", "grpc")) {
                        Node port = container.get(probe).get(action).get("port");
                        require(problems, !port.present() || declares(container, port.text()),
                                workload.file() + " " + workload.name() + "/" + container.get("name").text() + ": "
                                        + probe + " port " + port.text() + " is not declared");
                    }
                }
            }
        }
        return problems;
    }

    /**
     * Every ConfigMap and Secret a pod names exists (as a document or a kustomize generator), every volume mounted
     * is declared, and a path a container is given inside a mounted ConfigMap or Secret names one of its keys.
     */
    List<String> configProblems() {
        List<String> problems = new ArrayList<>();
        for (Document workload : manifests.workloads()) {
            String pod = workload.file() + " " + workload.name();
            Map<String, Node> volumes = new LinkedHashMap<>();
            for (Node volume : workload.podSpec().get("volumes").items()) {
                volumes.put(volume.get("name").text(), volume);
                String configMap = volume.at("configMap.name").text();
                String secret = volume.at("secret.secretName").text();
                require(problems, configMap.isEmpty() || keys("ConfigMap", configMap).isPresent(),
                        pod + ": volume " + volume.get("name").text() + " names no ConfigMap " + configMap);
                require(problems, secret.isEmpty() || keys("Secret", secret).isPresent(),
                        pod + ": volume " + volume.get("name").text() + " names no Secret " + secret);
            }
            for (Node container : workload.containers()) {
                String where = pod + "/" + container.get("name").text();
                for (Node source : container.get("envFrom").items()) {
                    for (String kind : List.of("ConfigMap", "Secret")) {
                        String name = source.at(Character.toLowerCase(kind.charAt(0)) + kind.substring(1) + "Ref.name")
                                .text();
                        require(problems, name.isEmpty() || keys(kind, name).isPresent(),
                                where + ": envFrom names no " + kind + " " + name);
                    }
                }
                for (Node variable : container.get("env").items()) {
                    for (String kind : List.of("ConfigMap", "Secret")) {
                        Node ref = variable.at("valueFrom." + Character.toLowerCase(kind.charAt(0)) + kind.substring(1)
                                + "KeyRef");
                        require(problems, !ref.present() || keys(kind, ref.get("name").text())
                                .map(keys -> keys.contains(ref.get("key").text())).orElse(false),
                                where + ": " + variable.get("name").text() + " names no key " + ref.get("key").text()
                                        + " of " + kind + " " + ref.get("name").text());
                    }
                }
                for (Node mount : container.get("volumeMounts").items()) {
                    Node volume = volumes.get(mount.get("name").text());
                    if (volume == null) {
                        problems.add(where + ": mounts undeclared volume " + mount.get("name").text());
                        continue;
                    }
                    problems.addAll(mountedPathProblems(where, container, mount, volume));
                }
            }
        }
        return problems;
    }

    /** Values naming a file under a mounted ConfigMap or Secret must name one of its keys. */
    private List<String> mountedPathProblems(String where, Node container, Node mount, Node volume) {
        Optional<Set<String>> keys = volume.get("secret").present()
                ? keys("Secret", volume.at("secret.secretName").text())
                : volume.get("configMap").present() ? keys("ConfigMap", volume.at("configMap.name").text())
                        : Optional.empty();
        if (keys.isEmpty()) {
            return List.of();
        }
        List<String> problems = new ArrayList<>();
        String prefix = mount.get("mountPath").text() + "/";
        for (Node variable : container.get("env").items()) {
            String value = variable.get("value").text();
            if (value.startsWith(prefix)) {
                require(problems, keys.get().contains(value.substring(prefix.length())), where + ": "
                        + variable.get("name").text() + " names " + value + ", which is no key of volume "
                        + mount.get("name").text() + " " + keys.get());
            }
        }
        return problems;
    }

    /** The keys of the ConfigMap or Secret {@code name}, as a document or a kustomize generator; empty if none. */
    private Optional<Set<String>> keys(String kind, String name) {
        for (Document document : manifests.ofKind(kind)) {
            if (document.name().equals(name)) {
                Set<String> keys = new TreeSet<>(document.node().get("data").keys());
                keys.addAll(document.node().get("stringData").keys());
                return Optional.of(keys);
            }
        }
        String generator = kind.equals("Secret") ? "secretGenerator" : "configMapGenerator";
        for (Node generated : manifests.kustomization.get(generator).items()) {
            if (generated.get("name").text().equals(name)) {
                Set<String> keys = new TreeSet<>();
                generated.get("files").items().forEach(file -> keys.add(file.text().contains("=")
                        ? file.text().split("=", 2)[0] : Path.of(file.text()).getFileName().toString()));
                generated.get("literals").items().forEach(literal -> keys.add(literal.text().split("=", 2)[0]));
                return Optional.of(keys);
            }
        }
        return Optional.empty();
    }

    private List<Document> selected(Map<String, String> selector) {
        return manifests.workloads().stream().filter(workload -> selects(selector, workload)).toList();
    }

    private static boolean selects(Map<String, String> selector, Document workload) {
        return !selector.isEmpty() && workload.podLabels().entrySet().containsAll(selector.entrySet());
    }

    /** Whether the container declares {@code port}, by name or by number. */
    private static boolean declares(Node container, String port) {
        return container.get("ports").items().stream().anyMatch(declared -> declared.get("name").text().equals(port)
                || declared.get("containerPort").text().equals(port));
    }
}
