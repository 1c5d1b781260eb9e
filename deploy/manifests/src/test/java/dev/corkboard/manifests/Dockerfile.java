package dev.corkboard.manifests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A Dockerfile's instructions: comments dropped, lines ending in a backslash joined to the next, each instruction
 * split into its upper-cased keyword and the rest.
 */
record Dockerfile(String text, List<Instruction> instructions) {

    record Instruction(String keyword, String arguments) {}

    static Dockerfile parse(Path file) throws IOException {
        List<Instruction> instructions = new ArrayList<>();
        StringBuilder pending = new StringBuilder();
        for (String raw : Files.readAllLines(file)) {
            String line = raw.strip();
            if (line.startsWith("#") || line.isEmpty() && pending.isEmpty()) {
                continue;
            }
            if (line.endsWith("\\")) {
                pending.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            pending.append(line);
            String[] parts = pending.toString().strip().split("\\s+", 2);
            instructions.add(new Instruction(parts[0].toUpperCase(Locale.ROOT),
                    parts.length > 1 ? parts[1] : ""));
            pending.setLength(0);
        }
        return new Dockerfile(Files.readString(file), instructions);
    }

    List<String> all(String keyword) {
        return instructions.stream().filter(i -> i.keyword().equals(keyword)).map(Instruction::arguments).toList();
    }

    /** The last instruction of its kind, the one in effect (ENTRYPOINT, USER, CMD). */
    Optional<String> last(String keyword) {
        List<String> all = all(keyword);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }
}
