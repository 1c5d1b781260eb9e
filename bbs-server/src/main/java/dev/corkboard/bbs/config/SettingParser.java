package dev.corkboard.bbs.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the text of settings into values and collects every problem instead of stopping at the first, so one start
 * attempt reports all of them. Each problem names the setting and what it accepts, e.g.
 * {@code --listen: expected host:port, got 'abc'}. Methods return a harmless placeholder for a bad value; call
 * {@link #throwIfAny()} before using the values.
 */
public final class SettingParser {

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");
    /** Words that switch an optional listen address off. */
    public static final List<String> OFF = List.of("off", "none", "disabled");

    private final List<String> problems = new ArrayList<>();

    /** {@code host:port}; port 0 means any free port. */
    public HostPort hostPort(String setting, String text) {
        try {
            return HostPort.parse(text.trim());
        } catch (IllegalArgumentException e) {
            problem(setting, "expected host:port, got '" + text + "'");
            return new HostPort("0.0.0.0", 0);
        }
    }

    /** A listen address, or empty for {@code off}, {@code none}, {@code disabled} or an empty value. */
    public Optional<HostPort> optionalHostPort(String setting, String text) {
        String trimmed = text.trim();
        if (trimmed.isEmpty() || OFF.contains(trimmed.toLowerCase(Locale.ROOT))) {
            return Optional.empty();
        }
        try {
            return Optional.of(HostPort.parse(trimmed));
        } catch (IllegalArgumentException e) {
            problem(setting, "expected host:port or 'off', got '" + text + "'");
            return Optional.empty();
        }
    }

    /** A positive duration: {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h}, or ISO-8601 such as {@code PT5S}. */
    public Duration duration(String setting, String text) {
        String trimmed = text.trim().toLowerCase(Locale.ROOT);
        Duration parsed = null;
        Matcher matcher = DURATION.matcher(trimmed);
        try {
            if (matcher.matches()) {
                long amount = Long.parseLong(matcher.group(1));
                parsed = switch (matcher.group(2)) {
                    case "ms" -> Duration.ofMillis(amount);
                    case "s" -> Duration.ofSeconds(amount);
                    case "m" -> Duration.ofMinutes(amount);
                    default -> Duration.ofHours(amount);
                };
            } else if (trimmed.startsWith("pt")) {
                parsed = Duration.parse(trimmed.toUpperCase(Locale.ROOT));
            }
        } catch (NumberFormatException | DateTimeParseException | ArithmeticException e) {
            parsed = null;
        }
        if (parsed == null || parsed.isNegative() || parsed.isZero()) {
            problem(setting, "expected a positive duration such as 500ms, 5s, 2m, 1h or PT5S, got '" + text + "'");
            return Duration.ofSeconds(1);
        }
        return parsed;
    }

    /** An integer from {@code min} to {@code max}; accepts KiB and MiB suffixes for sizes. */
    public int integer(String setting, String text, int min, int max) {
        String trimmed = text.trim();
        long factor = 1;
        if (trimmed.endsWith("KiB")) {
            factor = 1024;
        } else if (trimmed.endsWith("MiB")) {
            factor = 1024 * 1024;
        }
        String digits = factor == 1 ? trimmed : trimmed.substring(0, trimmed.length() - 3).trim();
        try {
            long value = Long.parseLong(digits) * factor;
            if (value >= min && value <= max) {
                return (int) value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        problem(setting, "expected an integer from " + min + " to " + max + ", got '" + text + "'");
        return min;
    }

    /** A comma-separated list of http or https URLs with a host and a port, at least one. */
    public List<URI> endpoints(String setting, String text) {
        List<URI> endpoints = new ArrayList<>();
        for (String part : text.split(",")) {
            String trimmed = part.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            try {
                URI uri = new URI(trimmed);
                boolean http = "http".equals(uri.getScheme()) || "https".equals(uri.getScheme());
                if (http && uri.getHost() != null && uri.getPort() > 0) {
                    endpoints.add(uri);
                    continue;
                }
            } catch (URISyntaxException e) {
                // reported below
            }
            problem(setting, "expected comma-separated URLs such as http://127.0.0.1:2379, got '" + trimmed + "'");
        }
        if (endpoints.isEmpty() && text.isBlank()) {
            problem(setting, "expected at least one URL such as http://127.0.0.1:2379, got nothing");
        }
        return endpoints;
    }

    /** An etcd key prefix: starts with '/', does not end with it, e.g. {@code /corkboard/v1}. Returned trimmed. */
    public String keyPrefix(String setting, String text) {
        String prefix = text.trim();
        require(prefix.length() > 1 && prefix.startsWith("/") && !prefix.endsWith("/"), setting,
                "expected a key prefix that starts and does not end with '/', such as /corkboard/v1, got '" + text
                        + "'");
        return prefix;
    }

    /** An optional readable file; empty for an empty value. */
    public Optional<Path> readableFile(String setting, String text) {
        if (text.isBlank()) {
            return Optional.empty();
        }
        Path path = Path.of(text.trim());
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            problem(setting, "expected a readable file, got '" + text + "' which "
                    + (Files.exists(path) ? "cannot be read" : "does not exist"));
        }
        return Optional.of(path);
    }

    /** Records a problem unless {@code ok}. */
    public void require(boolean ok, String setting, String expectation) {
        if (!ok) {
            problem(setting, expectation);
        }
    }

    /** True when none of these settings has a problem so far: their values may be compared with each other. */
    public boolean accepted(String... settings) {
        for (String setting : settings) {
            if (problems.stream().anyMatch(problem -> problem.startsWith(setting + ": "))) {
                return false;
            }
        }
        return true;
    }

    public void problem(String setting, String message) {
        problems.add(setting + ": " + message);
    }

    /** Throws {@link InvalidConfigException} listing every problem found, if any. */
    public void throwIfAny() {
        if (!problems.isEmpty()) {
            throw new InvalidConfigException(problems);
        }
    }
}
