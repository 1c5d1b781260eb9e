package dev.corkboard.converger;

import dev.corkboard.bbs.config.InvalidConfigException;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * The converger process: reads {@link ConvergerConfig} from flags, {@code CORKBOARD_*} variables and
 * {@code --config}, starts a {@link ConvergerDaemon}, and on SIGTERM (or Ctrl-C) closes it from a shutdown hook, which
 * resigns leadership at once.
 *
 * <p>Exit codes: 0 after a shutdown (143 when ended by SIGTERM, as the JVM reports it), 2 for invalid configuration
 * (the message names each bad setting), 1 when the process cannot start (the metrics port taken).
 */
public final class ConvergerMain {

    /** The logging configuration of the process, a classpath resource; see the resource itself for why. */
    public static final String LOGBACK_RESOURCE = "corkboard/converger-logback.xml";

    private ConvergerMain() {}

    public static void main(String[] args) {
        // before the first logger exists: logback reads this once, when slf4j binds it
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", LOGBACK_RESOURCE);
        }
        int code = run(args, System.getenv(), new PrintWriter(System.out, true), new PrintWriter(System.err, true));
        if (code != 0) {
            System.exit(code);
        }
    }

    /** Runs the command; blocks until the converger has stopped. Returns the exit code. */
    static int run(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err) {
        List<String> flags = List.of(args);
        if (flags.contains("--help") || flags.contains("-h")) {
            new CommandLine(new ConvergerOptions()).usage(out);
            return 0;
        }
        ConvergerConfig config;
        try {
            config = ConvergerConfig.parse(args, env);
        } catch (InvalidConfigException | CommandLine.ParameterException e) {
            err.println("converger: invalid configuration:");
            err.println(e.getMessage());
            err.println("Run converger --help for every setting and its accepted values.");
            return 2;
        }
        Logger log = LoggerFactory.getLogger(ConvergerMain.class);
        ConvergerDaemon daemon;
        try {
            daemon = ConvergerDaemon.start(config);
        } catch (IOException | RuntimeException e) {
            log.error("converger failed to start: {}", e.getMessage(), e);
            return 1;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(daemon::close, "corkboard-converger-shutdown"));
        try {
            daemon.awaitTermination();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            daemon.close();
        }
        return 0;
    }
}
