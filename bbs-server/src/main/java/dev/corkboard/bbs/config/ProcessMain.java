package dev.corkboard.bbs.config;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * What every Corkboard process's {@code main} does: print help, read its configuration (flags, {@code CORKBOARD_*}
 * variables, {@code --config} file, defaults), start, close from a shutdown hook on SIGTERM or Ctrl-C, and wait.
 *
 * <p>Exit codes: 0 after a shutdown (143 when ended by SIGTERM, as the JVM reports it), 2 for invalid configuration
 * (the message names each bad setting), 1 when the process cannot start (a port taken, a file unreadable).
 *
 * @param <C> the process's configuration record
 */
public final class ProcessMain<C> {

    /** A started process: it runs until closed. */
    public interface Running extends AutoCloseable {

        /** Blocks until the process has been closed. */
        void awaitTermination() throws InterruptedException;

        @Override
        void close();
    }

    /** Reads the configuration; throws {@link InvalidConfigException} or picocli's ParameterException. */
    @FunctionalInterface
    public interface Parser<C> {
        C parse(String[] args, Map<String, String> env);
    }

    /** Starts the process; throws when it cannot (whatever it opened is closed again). */
    @FunctionalInterface
    public interface Starter<C> {
        Running start(C config) throws IOException;
    }

    /** The prefix of the environment variables that configure every Corkboard process. */
    public static final String ENV_PREFIX = "CORKBOARD_";
    public static final int INVALID_CONFIGURATION = 2;
    public static final int CANNOT_START = 1;

    private final String name;
    private final Supplier<Object> options;
    private final Parser<C> parser;
    private final Starter<C> starter;

    /**
     * @param name the command's name in messages ({@code bbs-server}, {@code converger})
     * @param options a fresh picocli options object, for {@code --help}
     */
    public ProcessMain(String name, Supplier<Object> options, Parser<C> parser, Starter<C> starter) {
        this.name = name;
        this.options = options;
        this.parser = parser;
        this.starter = starter;
    }

    /**
     * Selects the process's logging configuration (a classpath resource) unless {@code -Dlogback.configurationFile}
     * says otherwise. Call it before the first logger exists: logback reads it once, when slf4j binds.
     */
    public static void useLogging(String resource) {
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", resource);
        }
    }

    /** Runs the command and blocks until the process has stopped; returns the exit code. */
    public int run(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err) {
        List<String> flags = List.of(args);
        if (flags.contains("--help") || flags.contains("-h")) {
            new CommandLine(options.get()).usage(out);
            return 0;
        }
        C config;
        try {
            config = parser.parse(args, env);
        } catch (InvalidConfigException | CommandLine.ParameterException e) {
            err.println(name + ": invalid configuration:");
            err.println(e.getMessage());
            err.println("Run " + name + " --help for every setting and its accepted values.");
            return INVALID_CONFIGURATION;
        }
        Logger log = LoggerFactory.getLogger(ProcessMain.class);
        Running running;
        try {
            running = starter.start(config);
        } catch (IOException | RuntimeException e) {
            log.error("{} failed to start: {}", name, e.getMessage(), e);
            return CANNOT_START;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(running::close, "corkboard-" + name + "-shutdown"));
        try {
            running.awaitTermination();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running.close();
        }
        return 0;
    }

    /**
     * Parses {@code args} into {@code options} with Corkboard's precedence: flag, then {@code CORKBOARD_*} variable,
     * then the {@code --config} file's key, then the option's default; unknown keys in the file are refused.
     */
    public static <O> O parseOptions(O options, String[] args, Map<String, String> env) {
        ConfigDefaults defaults = ConfigDefaults.load(ENV_PREFIX, args, env);
        CommandLine line = new CommandLine(options).setDefaultValueProvider(defaults);
        line.parseArgs(args);
        defaults.requireKnownKeys(line.getCommandSpec());
        return options;
    }
}
