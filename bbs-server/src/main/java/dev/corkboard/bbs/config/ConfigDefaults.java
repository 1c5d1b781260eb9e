package dev.corkboard.bbs.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The layers under a command's flags, as a picocli {@link IDefaultValueProvider}: for an option {@code --etcd-endpoints}
 * the environment variable {@code <PREFIX>ETCD_ENDPOINTS} (with the prefix {@code CORKBOARD_}:
 * {@code CORKBOARD_ETCD_ENDPOINTS}), then the key {@code etcd-endpoints} of the properties file named by
 * {@code --config FILE} (or by the variable {@code <PREFIX>CONFIG}), then the option's own {@code defaultValue}.
 * Flags given on the command line override all of these, since picocli asks a default provider only for options that
 * were not given.
 *
 * <pre>{@code
 * ConfigDefaults defaults = ConfigDefaults.load("CORKBOARD_", args, System.getenv());
 * CommandLine line = new CommandLine(options).setDefaultValueProvider(defaults);
 * line.parseArgs(args);
 * defaults.requireKnownKeys(line.getCommandSpec());
 * }</pre>
 */
public final class ConfigDefaults implements IDefaultValueProvider {

    /** The option that names the properties file. */
    public static final String CONFIG_OPTION = "--config";

    private final String envPrefix;
    private final Map<String, String> env;
    private final Properties file;
    private final Optional<Path> source;

    public ConfigDefaults(String envPrefix, Map<String, String> env, Properties file, Optional<Path> source) {
        this.envPrefix = envPrefix;
        this.env = Map.copyOf(env);
        this.file = file;
        this.source = source;
    }

    /**
     * Reads the properties file that {@code --config FILE} (or {@code --config=FILE}) in {@code args}, or else the
     * environment variable {@code <envPrefix>CONFIG}, names.
     *
     * @throws InvalidConfigException when the file is named but cannot be read
     */
    public static ConfigDefaults load(String envPrefix, String[] args, Map<String, String> env) {
        Optional<String> named = configArgument(args);
        if (named.isEmpty()) {
            named = Optional.ofNullable(env.get(envName(envPrefix, "config"))).filter(value -> !value.isBlank());
        }
        Properties properties = new Properties();
        if (named.isPresent()) {
            Path path = Path.of(named.get());
            try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
                properties.load(reader);
            } catch (IOException | IllegalArgumentException e) {
                throw new InvalidConfigException(List.of(CONFIG_OPTION + ": expected a readable properties file, got '"
                        + path + "' (" + e + ")"));
            }
        }
        return new ConfigDefaults(envPrefix, env, properties, named.map(Path::of));
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec option)) {
            return null;
        }
        String name = keyOf(option);
        String fromEnv = env.get(envName(envPrefix, name));
        if (fromEnv != null) {
            return fromEnv;
        }
        return file.getProperty(name);
    }

    /** The environment variable of an option: {@code --max-watch-subscribers} → {@code CORKBOARD_MAX_WATCH_SUBSCRIBERS}. */
    public static String envName(String envPrefix, String optionName) {
        return envPrefix + optionName.replaceFirst("^-+", "").replace('-', '_').toUpperCase(Locale.ROOT);
    }

    /**
     * Refuses a properties file with keys that name no option of the command: a misspelt key would otherwise be
     * ignored silently and its default used.
     */
    public void requireKnownKeys(CommandSpec spec) {
        Set<String> known = new TreeSet<>();
        for (OptionSpec option : spec.options()) {
            known.add(keyOf(option));
        }
        List<String> problems = new ArrayList<>();
        for (String key : new TreeSet<>(file.stringPropertyNames())) {
            if (!known.contains(key)) {
                problems.add(CONFIG_OPTION + " " + source.map(Path::toString).orElse("") + ": unknown key '" + key
                        + "'; expected one of " + String.join(", ", known));
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidConfigException(problems);
        }
    }

    private static String keyOf(OptionSpec option) {
        return option.longestName().replaceFirst("^-+", "");
    }

    private static Optional<String> configArgument(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals(CONFIG_OPTION) && i + 1 < args.length) {
                return Optional.of(args[i + 1]);
            }
            if (args[i].startsWith(CONFIG_OPTION + "=")) {
                return Optional.of(args[i].substring(CONFIG_OPTION.length() + 1));
            }
            if (args[i].equals("--")) {
                break;
            }
        }
        return Optional.empty();
    }
}
