package dev.corkboard.local;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code deploy/local/cluster}: a whole Corkboard cluster on this machine, every member its own process. Exit codes:
 * 0 done, 1 something failed (the message says what, with the end of the member's log when it would not come up),
 * 2 usage error.
 */
@Command(name = "cluster", mixinStandardHelpOptions = true, version = "corkboard local cluster",
        description = "A Corkboard cluster on this machine: etcd, BBS replicas, executor agents and convergers on"
                + " loopback ports, each its own process that outlives this command.",
        subcommands = {ClusterMain.Up.class, ClusterMain.Status.class, ClusterMain.Stop.class, ClusterMain.Kill.class,
                ClusterMain.Start.class, ClusterMain.Down.class, CommandLine.HelpCommand.class})
public final class ClusterMain implements Callable<Integer> {

    /** Environment variable naming the cluster directory (also read by {@code deploy/bin/cork}). */
    static final String DIR_VARIABLE = "CORKBOARD_LOCAL_DIR";

    /** System property with the checkout the jars are found in; set by the launcher. */
    static final String ROOT_PROPERTY = "corkboard.root";

    private final Path root;
    private final Map<String, String> env;
    private final PrintWriter out;
    private final PrintWriter err;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    ClusterMain(Path root, Map<String, String> env, PrintWriter out, PrintWriter err) {
        this.root = root;
        this.env = env;
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        Path root = Path.of(System.getProperty(ROOT_PROPERTY, ".")).toAbsolutePath().normalize();
        int code = run(args, root, System.getenv(), new PrintWriter(System.out, true),
                new PrintWriter(System.err, true));
        System.exit(code);
    }

    static int run(String[] args, Path root, Map<String, String> env, PrintWriter out, PrintWriter err) {
        ClusterMain main = new ClusterMain(root, env, out, err);
        CommandLine commandLine = new CommandLine(main);
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setExecutionExceptionHandler((e, line, parsed) -> {
            err.println("cluster: " + e.getMessage());
            return e instanceof IllegalArgumentException ? CommandLine.ExitCode.USAGE : CommandLine.ExitCode.SOFTWARE;
        });
        int code = commandLine.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /** {@code $CORKBOARD_LOCAL_DIR}, else {@code <checkout>/deploy/local/.cluster}. */
    static Path defaultDir(Path root, Map<String, String> env) {
        String named = env.getOrDefault(DIR_VARIABLE, "").strip();
        Path dir = named.isEmpty() ? root.resolve("deploy").resolve("local").resolve(".cluster") : Path.of(named);
        return dir.toAbsolutePath().normalize();
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(err);
        return CommandLine.ExitCode.USAGE;
    }

    private LocalCluster cluster(DirOption option) {
        Path dir = option.dir == null ? defaultDir(root, env) : option.dir.toAbsolutePath().normalize();
        return new LocalCluster(dir, root, env, out, err);
    }

    static final class DirOption {
        @Option(names = "--dir", paramLabel = "DIR",
                description = "Cluster directory (state, logs, data). Default: $" + DIR_VARIABLE
                        + ", else deploy/local/.cluster in the checkout.")
        Path dir;
    }

    /** What the BBS accepts as an executor TTL: whole seconds (it checks the range itself). */
    private static final Pattern EXECUTOR_TTL = Pattern.compile("[1-9][0-9]*s");

    @Command(name = "up", description = "Starts a cluster, or the members of the existing one that are down.")
    static final class Up implements Callable<Integer> {
        @ParentCommand
        ClusterMain main;
        @Mixin
        DirOption dir;
        @Option(names = "--etcd", paramLabel = "1|3", description = "etcd members (default 1).")
        Integer etcd;
        @Option(names = "--bbs", paramLabel = "N", description = "BBS replicas (default 2).")
        Integer bbs;
        @Option(names = "--executors", paramLabel = "N", description = "Executor agents (default 2).")
        Integer executors;
        @Option(names = "--convergers", paramLabel = "N", description = "Convergers (default 2).")
        Integer convergers;
        @Option(names = "--executor-ttl", paramLabel = "DURATION",
                description = "Every BBS replica's --executor-ttl, e.g. 5s: how soon a silent executor disappears and"
                        + " its tasks fail (default: the BBS's, 15s). Recorded with the cluster.")
        String executorTtl;
        @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "120",
                description = "How long each group of members may take to become healthy (default ${DEFAULT-VALUE}).")
        int timeoutSeconds;

        @Override
        public Integer call() throws InterruptedException {
            if (timeoutSeconds < 1) {
                throw new IllegalArgumentException("--timeout: expected at least 1, got " + timeoutSeconds);
            }
            if (executorTtl != null && !EXECUTOR_TTL.matcher(executorTtl).matches()) {
                throw new IllegalArgumentException("--executor-ttl: expected whole seconds such as 5s, got '"
                        + executorTtl + "'");
            }
            return main.cluster(dir).up(requested(), Optional.ofNullable(executorTtl),
                    Duration.ofSeconds(timeoutSeconds));
        }

        /** The shape asked for, when any of its flags was given; missing counts take the defaults. */
        Optional<Topology> requested() {
            if (etcd == null && bbs == null && executors == null && convergers == null) {
                return Optional.empty();
            }
            Topology defaults = Topology.DEFAULT;
            return Optional.of(new Topology(etcd == null ? defaults.etcd() : etcd, bbs == null ? defaults.bbs() : bbs,
                    executors == null ? defaults.executors() : executors,
                    convergers == null ? defaults.convergers() : convergers));
        }
    }

    @Command(name = "status", description = "Lists every member: role, id, pid, ports, health (up, unhealthy, down).")
    static final class Status implements Callable<Integer> {
        @ParentCommand
        ClusterMain main;
        @Mixin
        DirOption dir;
        @Option(names = "--json", description = "One JSON object: dir, etcd_endpoints, bbs_endpoints, processes.")
        boolean json;

        @Override
        public Integer call() throws InterruptedException {
            LocalCluster cluster = main.cluster(dir);
            ClusterState state = cluster.state();
            StatusReport report = StatusReport.of(state);
            if (json) {
                main.out.println(report.json());
            } else {
                report.printTable(main.out);
                main.out.println();
                report.printEndpoints(main.out);
            }
            return 0;
        }
    }

    @Command(name = "stop", description = "SIGTERM to one member; SIGKILL if it has not exited within 20 s.")
    static final class Stop implements Callable<Integer> {
        @ParentCommand
        ClusterMain main;
        @Mixin
        DirOption dir;
        @Parameters(paramLabel = "NAME", description = "e.g. bbs-1, executor-2, etcd-3")
        String name;

        @Override
        public Integer call() throws InterruptedException {
            return main.cluster(dir).stop(name);
        }
    }

    @Command(name = "kill", description = "SIGKILL to one member, as in a crash.")
    static final class Kill implements Callable<Integer> {
        @ParentCommand
        ClusterMain main;
        @Mixin
        DirOption dir;
        @Parameters(paramLabel = "NAME", description = "e.g. bbs-1, executor-2, etcd-3")
        String name;

        @Override
        public Integer call() throws InterruptedException {
            return main.cluster(dir).kill(name);
        }
    }

    @Command(name = "start", description = "Starts one member again, with the same ports and data, and waits until it"
            + " is healthy.")
    static final class Start implements Callable<Integer> {
        @ParentCommand
        ClusterMain main;
        @Mixin
        DirOption dir;
        @Parameters(paramLabel = "NAME", description = "e.g. bbs-1, executor-2, etcd-3")
        String name;
        @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "120",
                description = "How long it may take to become healthy (default ${DEFAULT-VALUE}).")
        int timeoutSeconds;

        @Override
        public Integer call() throws InterruptedException {
            return main.cluster(dir).start(name, Duration.ofSeconds(Math.max(1, timeoutSeconds)));
        }
    }

    @Command(name = "down", description = "Stops every member and checks that none is left, removes the empty task"
            + " cgroups its executors left; keeps the logs.")
    static final class Down implements Callable<Integer> {
        @ParentCommand
        ClusterMain main;
        @Mixin
        DirOption dir;
        @Option(names = "--purge", description = "Also remove the cluster directory: state, data and logs.")
        boolean purge;

        @Override
        public Integer call() throws InterruptedException {
            return main.cluster(dir).down(purge);
        }
    }
}
