package dev.corkboard.manifests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A systemd {@code EnvironmentFile}: {@code KEY=value} lines, values optionally quoted, {@code #} comments. */
record EnvironmentFile(String text, Map<String, String> assignments) {

    private static final Pattern ASSIGNMENT = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(.*)");

    /** @throws IllegalArgumentException naming the file and line of a line that assigns nothing */
    static EnvironmentFile parse(Path file) throws IOException {
        Map<String, String> assignments = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            Matcher matcher = ASSIGNMENT.matcher(line);
            if (!matcher.matches()) {
                throw new IllegalArgumentException(file + ":" + (i + 1) + ": expected KEY=value, got '" + line + "'");
            }
            assignments.put(matcher.group(1), unquote(matcher.group(2).strip()));
        }
        return new EnvironmentFile(Files.readString(file), assignments);
    }

    private static String unquote(String value) {
        boolean quoted = value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"")
                || value.startsWith("'") && value.endsWith("'"));
        return quoted ? value.substring(1, value.length() - 1) : value;
    }
}
