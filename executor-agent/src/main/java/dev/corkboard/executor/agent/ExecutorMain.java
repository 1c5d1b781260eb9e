package dev.corkboard.executor.agent;

import dev.corkboard.bbs.config.ProcessMain;
import java.io.PrintWriter;
import java.util.Map;

/**
 * The executor agent process: reads {@link ExecutorConfig} from flags, {@code CORKBOARD_*} variables and
 * {@code --config}, starts an {@link ExecutorAgent}, and on SIGTERM (or Ctrl-C) drains and stops it; exit codes as
 * {@link ProcessMain} says.
 */
public final class ExecutorMain {

    /** The logging configuration of the process, a classpath resource. */
    public static final String LOGBACK_RESOURCE = "corkboard/executor-logback.xml";

    private ExecutorMain() {}

    public static void main(String[] args) {
        ProcessMain.useLogging(LOGBACK_RESOURCE);
        int code = run(args, System.getenv(), new PrintWriter(System.out, true), new PrintWriter(System.err, true));
        if (code != 0) {
            System.exit(code);
        }
    }

    /** Runs the command; blocks until the agent has stopped. Returns the exit code. */
    static int run(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err) {
        return new ProcessMain<>("executor-agent", ExecutorOptions::new, ExecutorConfig::parse, ExecutorAgent::start)
                .run(args, env, out, err);
    }
}
