package dev.corkboard.converger;

import dev.corkboard.bbs.config.ProcessMain;
import java.io.PrintWriter;
import java.util.Map;

/**
 * The converger process: reads {@link ConvergerConfig} from flags, {@code CORKBOARD_*} variables and
 * {@code --config}, starts a {@link ConvergerDaemon}, and on SIGTERM (or Ctrl-C) closes it, which resigns leadership
 * at once; exit codes as {@link ProcessMain} says.
 */
public final class ConvergerMain {

    /** The logging configuration of the process, a classpath resource; see the resource itself for why. */
    public static final String LOGBACK_RESOURCE = "corkboard/converger-logback.xml";

    private ConvergerMain() {}

    public static void main(String[] args) {
        ProcessMain.useLogging(LOGBACK_RESOURCE);
        int code = run(args, System.getenv(), new PrintWriter(System.out, true), new PrintWriter(System.err, true));
        if (code != 0) {
            System.exit(code);
        }
    }

    /** Runs the command; blocks until the converger has stopped. Returns the exit code. */
    static int run(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err) {
        return new ProcessMain<>("converger", ConvergerOptions::new, ConvergerConfig::parse, ConvergerDaemon::start)
                .run(args, env, out, err);
    }
}
