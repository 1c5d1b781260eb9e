package dev.corkboard.bbs.server;

import dev.corkboard.bbs.config.InvalidConfigException;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * The BBS server process: reads {@link BbsConfig} from flags, {@code CORKBOARD_*} variables and {@code --config},
 * starts a {@link BbsServer}, and on SIGTERM (or Ctrl-C) shuts it down gracefully from a shutdown hook.
 *
 * <p>Exit codes: 0 after a shutdown, 2 for invalid configuration (the message names each bad setting), 1 when the
 * server cannot start (a port taken, a TLS file unreadable).
 */
public final class BbsServerMain {

    /** The logging configuration of the process, a classpath resource; see the resource itself for why. */
    public static final String LOGBACK_RESOURCE = "corkboard/bbs-server-logback.xml";

    private BbsServerMain() {}

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

    /** Runs the command; blocks until the server has stopped. Returns the exit code. */
    static int run(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err) {
        List<String> flags = List.of(args);
        if (flags.contains("--help") || flags.contains("-h")) {
            new CommandLine(new BbsOptions()).usage(out);
            return 0;
        }
        BbsConfig config;
        try {
            config = BbsConfig.parse(args, env);
        } catch (InvalidConfigException | CommandLine.ParameterException e) {
            err.println("bbs-server: invalid configuration:");
            err.println(e.getMessage());
            err.println("Run bbs-server --help for every setting and its accepted values.");
            return 2;
        }
        Logger log = LoggerFactory.getLogger(BbsServerMain.class);
        BbsServer server;
        try {
            server = BbsServer.start(config);
        } catch (IOException | RuntimeException e) {
            log.error("BBS server failed to start: {}", e.getMessage(), e);
            return 1;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "corkboard-bbs-shutdown"));
        try {
            server.awaitTermination();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.close();
        }
        return 0;
    }
}
