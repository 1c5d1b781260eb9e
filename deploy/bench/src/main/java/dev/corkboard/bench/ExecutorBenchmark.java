package dev.corkboard.bench;

import dev.corkboard.proto.v1.Command;
import dev.corkboard.proto.v1.TaskDefinition;
import dev.corkboard.stager.BbsEndpoints;
import dev.corkboard.stager.StagerClient;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.DeleteOption;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Tasks per second and claim→process-started latency through one executor agent. One BBS replica runs in this JVM
 * against a private etcd; for each runtime a fresh agent starts beside it, and tasks running {@code /bin/true} are
 * desired through the stager client with a fixed number in flight, their completions followed on the task watch and
 * resolved as they come. Progress goes to stderr so that with {@code --json} stdout holds the JSON object alone.
 * It exits 1 when a measured task failed or a runtime could not be measured.
 */
@CommandLine.Command(name = "executor", description = "Tasks per second and claim->process-started latency through"
        + " one executor agent, per runtime, with a BBS and the agent in this JVM.")
public final class ExecutorBenchmark implements Callable<Integer> {

    static final String DOMAIN = "bench";
    private static final String COMMAND = "/bin/true";

    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Option(names = "--runtimes", split = ",", paramLabel = "NAME",
            description = "Runtimes to measure, one agent each (default: ${DEFAULT-VALUE}).")
    List<String> runtimes = List.of("sandbox", "oci", "process");

    @Option(names = "--tasks", paramLabel = "N", description = "Measured tasks per runtime (default: ${DEFAULT-VALUE}).")
    int tasks = 300;

    @Option(names = "--warmup", paramLabel = "N",
            description = "Tasks per runtime before the measured ones, not counted (default: ${DEFAULT-VALUE}).")
    int warmup = 30;

    @Option(names = "--in-flight", paramLabel = "N",
            description = "Tasks desired but not yet completed at a time (default: ${DEFAULT-VALUE}).")
    int inFlight = 8;

    @Option(names = "--containers", paramLabel = "N",
            description = "Tasks the agent runs at once (default: ${DEFAULT-VALUE}).")
    int containers = 4;

    @Option(names = "--task-timeout", paramLabel = "S",
            description = "Seconds after which a task not seen completed counts as failed (default: ${DEFAULT-VALUE}).")
    int taskTimeoutSeconds = 60;

    @Option(names = "--endpoints", paramLabel = "URL", split = ",",
            description = "etcd client URLs to use instead of starting a local etcd; the run's keys are removed after.")
    List<String> endpoints = List.of();

    @Option(names = "--json", description = "Print one JSON object instead of the table.")
    boolean json;

    private final PrintStream progress = System.err;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ExecutorBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        checkOptions();
        MachineLoad loadAtStart = MachineLoad.now();
        Instant date = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        String prefix = EtcdUnderTest.runPrefix("executor-", date);
        ExecutorService jetcdThreads = Executors.newFixedThreadPool(2);
        try (EtcdUnderTest etcd = endpoints.isEmpty() ? EtcdUnderTest.startLocal() : EtcdUnderTest.existing(endpoints);
                Client etcdClient = Client.builder().endpoints(etcd.endpoints().toArray(new String[0]))
                        .executorService(jetcdThreads).build()) {
            String version = etcd.version(etcdClient);
            progress.printf("etcd %s at %s; BBS keys under %s%n", version, String.join(",", etcd.endpoints()), prefix);
            List<RuntimeFigures> figures;
            try {
                figures = measureAll(etcd.endpoints(), prefix);
            } finally {
                removeRunKeys(etcdClient, prefix);
            }
            ExecutorReport report = new ExecutorReport(figures, new ExecutorReport.Settings(tasks, warmup, inFlight,
                    containers, COMMAND), version, System.getProperty("java.version"),
                    Runtime.getRuntime().availableProcessors(), date, loadAtStart, MachineLoad.now());
            if (json) {
                System.out.println(report.toJson());
            } else {
                report.printTable(System.out);
            }
            return figures.stream().allMatch(f -> f instanceof RuntimeFigures.Measured m && m.measured().failed() == 0)
                    ? 0 : 1;
        } finally {
            jetcdThreads.shutdownNow();
        }
    }

    private void checkOptions() {
        if (tasks < 1 || warmup < 0 || inFlight < 1 || containers < 1 || taskTimeoutSeconds < 1) {
            throw new ParameterException(spec.commandLine(), "--tasks, --in-flight, --containers and --task-timeout"
                    + " must be at least 1, --warmup at least 0");
        }
        if (runtimes.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "--runtimes must name at least one runtime");
        }
    }

    private List<RuntimeFigures> measureAll(List<String> etcdEndpoints, String prefix)
            throws IOException, InterruptedException {
        ExecutorService resolver = Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "corkboard-bench-resolver");
            thread.setDaemon(true);
            return thread;
        });
        try (InProcessBbs bbs = InProcessBbs.start(etcdEndpoints, prefix);
                StagerClient client = StagerClient.connect(BbsEndpoints.parse(bbs.endpoint()));
                CompletionWatch watch = CompletionWatch.start(client)) {
            List<RuntimeFigures> figures = new ArrayList<>();
            for (String runtime : runtimes) {
                figures.add(measure(runtime, bbs, client, watch, resolver));
            }
            return figures;
        } finally {
            resolver.shutdownNow();
        }
    }

    private RuntimeFigures measure(String runtime, InProcessBbs bbs, StagerClient client, CompletionWatch watch,
            ExecutorService resolver) throws InterruptedException {
        progress.printf("%s: starting an agent with %d containers%n", runtime, containers);
        InProcessAgent agent;
        try {
            agent = InProcessAgent.start(runtime, bbs.endpoint(), containers);
        } catch (IOException | RuntimeException e) {
            return skipped(runtime, "the agent could not start: " + e.getMessage());
        }
        try (agent) {
            Duration timeout = Duration.ofSeconds(taskTimeoutSeconds);
            TaskDefinition definition = TaskDefinition.newBuilder().setRuntime(runtime)
                    .setCommand(Command.newBuilder().setPath(COMMAND)).build();
            progress.printf("%s: %d warm-up tasks, %d in flight%n", runtime, warmup, inFlight);
            TaskBatch.Outcome warm = new TaskBatch(client, watch, resolver, definition, inFlight, timeout)
                    .run(warmup, "warmup-" + runtime, DOMAIN);
            InProcessAgent.ClaimToStart before = agent.claimToStart();
            progress.printf("%s: %d measured tasks, %d in flight%n", runtime, tasks, inFlight);
            TaskBatch.Outcome measured = new TaskBatch(client, watch, resolver, definition, inFlight, timeout)
                    .run(tasks, runtime, DOMAIN);
            InProcessAgent.ClaimToStart after = agent.claimToStart();
            warm.firstFailure().ifPresent(reason -> progress.printf("%s: first warm-up failure: %s%n", runtime,
                    reason));
            return new RuntimeFigures.Measured(runtime, measured, warm.failed(), after,
                    after.meanMillisSince(before));
        } catch (IllegalStateException e) {
            return skipped(runtime, "the run broke off: " + e.getMessage());
        }
    }

    private RuntimeFigures skipped(String runtime, String reason) {
        String line = String.valueOf(reason).lines().findFirst().orElse("").strip();
        progress.printf("%s: not measured: %s%n", runtime, line);
        return new RuntimeFigures.Skipped(runtime, line);
    }

    /** A shared etcd should not keep a benchmark's leftovers; on our own etcd this costs one request. */
    private void removeRunKeys(Client client, String prefix) throws InterruptedException {
        try {
            client.getKVClient().delete(ByteSequence.from(prefix + "/", StandardCharsets.UTF_8),
                    DeleteOption.builder().isPrefix(true).build()).get(10, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            progress.println("could not remove the run's keys under " + prefix + ": " + e);
        }
    }
}
