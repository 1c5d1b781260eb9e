package dev.corkboard.bbs.server;

import dev.corkboard.bbs.config.ProcessMain;
import java.io.PrintWriter;
import java.util.Map;

/**
 * The BBS server process: reads {@link BbsConfig} from flags, {@code CORKBOARD_*} variables and {@code --config},
 * starts a {@link BbsServer}, and on SIGTERM (or Ctrl-C) shuts it down gracefully; exit codes as
 * {@link ProcessMain} says.
 */
public final class BbsServerMain {

    /** The logging configuration of the process, a classpath resource; see the resource itself for why. */
    public static final String LOGBACK_RESOURCE = "corkboard/bbs-server-logback.xml";

    private BbsServerMain() {}

    public static void main(String[] args) {
        ProcessMain.useLogging(LOGBACK_RESOURCE);
        int code = run(args, System.getenv(), new PrintWriter(System.out, true), new PrintWriter(System.err, true));
        if (code != 0) {
            System.exit(code);
        }
    }

    /** Runs the command; blocks until the server has stopped. Returns the exit code. */
    static int run(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err) {
        return new ProcessMain<>("bbs-server", BbsOptions::new, BbsConfig::parse,
                BbsServer::start).run(args, env, out, err);
    }
}
