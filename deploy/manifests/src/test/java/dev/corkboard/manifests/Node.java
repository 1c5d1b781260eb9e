package dev.corkboard.manifests;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A read-only view of parsed YAML that answers a missing key with an absent node instead of null, so a check can
 * walk {@code spec.template.spec.containers} without a null test at every step.
 */
record Node(Object value) {

    static final Node ABSENT = new Node(null);

    /** The value under {@code key}, or absent. */
    Node get(String key) {
        return value instanceof Map<?, ?> map && map.containsKey(key) ? new Node(map.get(key)) : ABSENT;
    }

    /** The value under a dotted path such as {@code spec.template.metadata.labels}. */
    Node at(String path) {
        Node node = this;
        for (String key : path.split("\\.")) {
            node = node.get(key);
        }
        return node;
    }

    /** The elements of a sequence; none for anything else. */
    List<Node> items() {
        return value instanceof List<?> list ? list.stream().map(Node::new).toList() : List.of();
    }

    boolean present() {
        return value != null;
    }

    /** A scalar as text; empty when absent. */
    String text() {
        return value == null ? "" : String.valueOf(value);
    }

    /** The keys of a mapping; none for anything else. */
    Set<String> keys() {
        Set<String> keys = new TreeSet<>();
        if (value instanceof Map<?, ?> map) {
            map.keySet().forEach(key -> keys.add(String.valueOf(key)));
        }
        return keys;
    }

    /** A mapping of scalars, such as labels, as text. */
    Map<String, String> strings() {
        Map<String, String> strings = new LinkedHashMap<>();
        for (String key : keys()) {
            strings.put(key, get(key).text());
        }
        return strings;
    }
}
