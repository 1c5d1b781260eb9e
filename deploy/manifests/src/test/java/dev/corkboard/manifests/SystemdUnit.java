package dev.corkboard.manifests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A systemd unit file as systemd reads it: {@code [Section]} headers, {@code Key=Value} entries that may repeat,
 * {@code #} and {@code ;} comment lines, and a trailing backslash joining a line to the next with a space. Written
 * here rather than taken from an INI library: those merge repeated keys and know no continuation lines.
 */
record SystemdUnit(String name, Map<String, List<Entry>> sections) {

    record Entry(String key, String value) {}

    /**
     * @throws IllegalArgumentException naming the file and line of an entry outside a section or without '='
     */
    static SystemdUnit parse(Path file) throws IOException {
        Map<String, List<Entry>> sections = new LinkedHashMap<>();
        List<Entry> current = null;
        List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
            int number = i + 1;
            StringBuilder line = new StringBuilder(lines.get(i).strip());
            while (line.toString().endsWith("\\") && i + 1 < lines.size()) {
                line.setLength(line.length() - 1);
                line.append(' ').append(lines.get(++i).strip());
            }
            String text = line.toString();
            if (text.isEmpty() || text.startsWith("#") || text.startsWith(";")) {
                continue;
            }
            if (text.startsWith("[") && text.endsWith("]")) {
                current = sections.computeIfAbsent(text.substring(1, text.length() - 1), section -> new ArrayList<>());
                continue;
            }
            int equals = text.indexOf('=');
            if (current == null || equals < 1) {
                throw new IllegalArgumentException(file + ":" + number + ": expected [Section] or Key=Value in a"
                        + " section, got '" + text + "'");
            }
            current.add(new Entry(text.substring(0, equals).strip(), text.substring(equals + 1).strip()));
        }
        return new SystemdUnit(file.getFileName().toString(), sections);
    }

    boolean hasSection(String section) {
        return sections.containsKey(section);
    }

    /** Every value of {@code key} in {@code section}, in file order. */
    List<String> values(String section, String key) {
        return sections.getOrDefault(section, List.of()).stream()
                .filter(entry -> entry.key().equals(key))
                .map(Entry::value)
                .toList();
    }

    /** The value in effect: the last one given. */
    Optional<String> value(String section, String key) {
        List<String> values = values(section, key);
        return values.isEmpty() ? Optional.empty() : Optional.of(values.get(values.size() - 1));
    }
}
