package dev.corkboard.manifests;

import dev.corkboard.bbs.config.ConfigDefaults;
import dev.corkboard.bbs.config.ProcessMain;
import dev.corkboard.bbs.server.BbsServerMain;
import dev.corkboard.converger.ConvergerMain;
import dev.corkboard.executor.agent.ExecutorMain;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * A Corkboard process that deploy/ starts, and the settings its own code accepts. The accepted environment variables
 * are derived, never listed: each option of the process's picocli options class mapped to its variable by
 * {@link ConfigDefaults#envName} (the mapping the process itself uses), plus the {@code ${CORKBOARD_…}} variables its
 * logback configuration reads. Renaming a flag in the code therefore renames the variable the manifests must use.
 */
enum Component {

    BBS_SERVER("bbs-server", "dev.corkboard.bbs.server.BbsOptions", BbsServerMain.LOGBACK_RESOURCE, false,
            List.of("--shutdown-grace-period")),
    CONVERGER("converger", "dev.corkboard.converger.ConvergerOptions", ConvergerMain.LOGBACK_RESOURCE, false,
            List.of()),
    /** Root: it creates cgroups and namespaces. On SIGTERM it drains, then reports each task within a call timeout. */
    EXECUTOR_AGENT("executor-agent", "dev.corkboard.executor.agent.ExecutorOptions", ExecutorMain.LOGBACK_RESOURCE,
            true, List.of("--drain-timeout", "--call-timeout"));

    private static final Pattern LOGBACK_VARIABLE = Pattern.compile("\\$\\{(" + ProcessMain.ENV_PREFIX + "[A-Z0-9_]+)");

    /** The Maven module's directory, which is also the directory of its image under deploy/docker. */
    final String module;
    /** Whether the process needs root; the others run as an unprivileged user. */
    final boolean needsRoot;
    /** The duration settings whose sum a graceful stop may take: a supervisor must wait longer before killing. */
    final List<String> stopFlags;
    private final String optionsClass;
    private final String logbackResource;

    Component(String module, String optionsClass, String logbackResource, boolean needsRoot, List<String> stopFlags) {
        this.module = module;
        this.optionsClass = optionsClass;
        this.logbackResource = logbackResource;
        this.needsRoot = needsRoot;
        this.stopFlags = stopFlags;
    }

    /** The component whose module (and image directory) is {@code name}. */
    static Optional<Component> ofModule(String name) {
        return Arrays.stream(values()).filter(component -> component.module.equals(name)).findFirst();
    }

    /** Every {@code CORKBOARD_*} variable this process reads. */
    Set<String> variables() {
        Set<String> variables = new TreeSet<>();
        for (OptionSpec option : spec().options()) {
            variables.add(variableOf(option.longestName()));
        }
        Matcher matcher = LOGBACK_VARIABLE.matcher(resource(logbackResource));
        while (matcher.find()) {
            variables.add(matcher.group(1));
        }
        return variables;
    }

    /** Every flag this process accepts, e.g. {@code --listen}. */
    Set<String> flags() {
        Set<String> flags = new TreeSet<>();
        for (OptionSpec option : spec().options()) {
            flags.addAll(Arrays.asList(option.names()));
        }
        return flags;
    }

    /** The default value the process's code gives {@code flag}. */
    String defaultValue(String flag) {
        OptionSpec option = spec().findOption(flag);
        if (option == null) {
            throw new IllegalArgumentException(flag + " is no flag of " + module);
        }
        return option.defaultValue();
    }

    /** The environment variable of {@code flag}. */
    static String variableOf(String flag) {
        return ConfigDefaults.envName(ProcessMain.ENV_PREFIX, flag);
    }

    /** The options classes are package-private: they are the processes' own, instantiated here as picocli does. */
    private CommandSpec spec() {
        try {
            var constructor = Class.forName(optionsClass).getDeclaredConstructor();
            constructor.setAccessible(true);
            return CommandSpec.forAnnotatedObject(constructor.newInstance());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read the options of " + module + " from " + optionsClass, e);
        }
    }

    private static String resource(String name) {
        try (InputStream in = Component.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("no resource " + name + " on the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
