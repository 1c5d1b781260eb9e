package dev.corkboard.bench;

import dev.corkboard.bbs.state.TaskLifecycle;
import dev.corkboard.bbs.store.EtcdConnection;
import dev.corkboard.bbs.store.EtcdTaskStore;
import dev.corkboard.bbs.store.EtcdTransport;
import dev.corkboard.bbs.store.StoreSettings;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.DeleteOption;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Store throughput against the etcd ceiling, both measured in one run on one etcd (DESIGN.md §7): first raw
 * single-key CAS transactions per second through jetcd, then full task lifecycles per second through
 * {@link EtcdTaskStore}, each at the same concurrency, both over the same etcd client and transport. Progress goes to
 * stderr so that with {@code --json} stdout holds the JSON object alone.
 */
@Command(name = "store",
        description = "Full task lifecycles per second through the etcd store, against raw etcd CAS transactions"
                + " per second measured in the same run.")
public final class StoreBenchmark implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Option(names = "--duration", paramLabel = "S", description = "Measured seconds per phase (default: ${DEFAULT-VALUE}).")
    int durationSeconds = 15;

    @Option(names = "--warmup", paramLabel = "S", description = "Least warm-up seconds before each measured window;"
            + " it goes on, up to 4 times as long, while the JIT is still compiling (default: ${DEFAULT-VALUE}).")
    int warmupSeconds = 5;

    @Option(names = "--concurrency", paramLabel = "N", description = "Operations in flight (default: ${DEFAULT-VALUE}).")
    int concurrency = 64;

    @Option(names = "--endpoints", paramLabel = "URL", split = ",",
            description = "etcd client URLs to use instead of starting a local etcd; the run's keys are removed after.")
    List<String> endpoints = List.of();

    @Option(names = "--transition-batch", paramLabel = "N", description = "Most transitions the store writes in one"
            + " etcd transaction, as the BBS's --transition-batch; 1: one transaction each (default: ${DEFAULT-VALUE}).")
    int transitionBatch = StoreSettings.DEFAULT_TRANSITION_BATCH;

    @Option(names = "--etcd-transport", paramLabel = "grpc|vertx", description = "Channel under the etcd client, for"
            + " both phases, as the BBS's --etcd-transport (default: ${DEFAULT-VALUE}).")
    String transport = EtcdTransport.GRPC.settingName();

    @Option(names = "--json", description = "Print one JSON object instead of the table.")
    boolean json;

    public static void main(String[] args) {
        System.exit(new CommandLine(new StoreBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws InterruptedException {
        EtcdTransport etcdTransport = checkOptions();
        PrintStream progress = System.err;
        double loadAtStart = loadAverage();
        Instant date = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        String runPrefix = EtcdUnderTest.runPrefix("", date);
        // EtcdConnection, as the BBS opens it: a bounded callback pool and the transport asked for
        try (EtcdUnderTest etcd = endpoints.isEmpty() ? EtcdUnderTest.startLocal() : EtcdUnderTest.existing(endpoints);
                EtcdConnection connection = EtcdConnection.open(etcd.endpoints().stream().map(URI::create).toList(),
                        "jetcd", etcdTransport)) {
            Client client = connection.client();
            String version = etcd.version(client);
            String where = (etcd.startedHere() ? "started by the benchmark at " : "at ")
                    + String.join(",", etcd.endpoints());
            progress.printf("etcd %s %s over %s; keys under %s%n", version, where, etcdTransport.settingName(),
                    runPrefix);

            progress.printf("ceiling: single-key CAS, %d in flight: warm-up of at least %d s, %d s measured%n",
                    concurrency, warmupSeconds, durationSeconds);
            PhaseResult cas = measure(new CasCeiling(client.getKVClient(), runPrefix + "/cas/", concurrency));

            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            EtcdTaskStore store = new EtcdTaskStore(client, new TaskLifecycle(), Clock.systemUTC(),
                    StoreSettings.defaults().withPrefix(runPrefix + "/store").withTransitionBatch(transitionBatch),
                    registry);
            progress.printf("lifecycles: desire..resolve through the store, %d in flight, up to %d transitions per"
                    + " transaction: warm-up of at least %d s, %d s measured%n", concurrency, transitionBatch,
                    warmupSeconds, durationSeconds);
            PhaseResult lifecycles = measure(new FullLifecycle(store));

            removeRunKeys(client, runPrefix);
            long conflicts = Math.round(registry.find("corkboard.store.conflicts").counters().stream()
                    .mapToDouble(Counter::count).sum());
            StoreReport report = new StoreReport(cas, lifecycles, conflicts, concurrency, warmupSeconds,
                    durationSeconds, version, where, System.getProperty("java.version"),
                    Runtime.getRuntime().availableProcessors(), date, loadAtStart, loadAverage());
            if (json) {
                System.out.println(report.toJson());
            } else {
                report.printTable(System.out);
            }
            return explainFailures(report, progress);
        }
    }

    /** Refuses a bad option with picocli's usage error; returns the transport named. */
    private EtcdTransport checkOptions() {
        if (durationSeconds < 1) {
            throw new ParameterException(spec.commandLine(), "--duration must be at least 1 second");
        }
        if (warmupSeconds < 0) {
            throw new ParameterException(spec.commandLine(), "--warmup must not be negative");
        }
        if (concurrency < 1) {
            throw new ParameterException(spec.commandLine(), "--concurrency must be at least 1");
        }
        // an etcd transaction holds at most --max-txn-ops (default 128) compares, as the BBS checks
        if (transitionBatch < 1 || transitionBatch > 128) {
            throw new ParameterException(spec.commandLine(), "--transition-batch must be from 1 to 128");
        }
        return EtcdTransport.named(transport).orElseThrow(() -> new ParameterException(spec.commandLine(),
                "--etcd-transport must be one of " + Arrays.stream(EtcdTransport.values())
                        .map(EtcdTransport::settingName).toList() + ", got '" + transport + "'"));
    }

    private PhaseResult measure(ClosedLoop.Operation operation) throws InterruptedException {
        return ClosedLoop.run(operation, concurrency, Duration.ofSeconds(warmupSeconds),
                Duration.ofSeconds(durationSeconds));
    }

    /** A shared etcd should not keep a benchmark's leftovers; on our own etcd this costs one request. */
    private static void removeRunKeys(Client client, String runPrefix) throws InterruptedException {
        ByteSequence prefix = ByteSequence.from(runPrefix + "/", StandardCharsets.UTF_8);
        try {
            client.getKVClient().delete(prefix, DeleteOption.builder().isPrefix(true).build())
                    .get(10, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            System.err.println("could not remove the run's keys under " + runPrefix + ": " + e);
        }
    }

    /** Figures with failed operations in them are not trustworthy: say why and exit non-zero. */
    private static int explainFailures(StoreReport report, PrintStream progress) {
        if (report.failedOperations() == 0 && report.cas().succeeded() > 0 && report.lifecycles().succeeded() > 0) {
            return 0;
        }
        report.cas().firstFailure().ifPresent(e -> progress.println("first CAS failure: " + e));
        report.lifecycles().firstFailure().ifPresent(e -> progress.println("first lifecycle failure: " + e));
        return 1;
    }

    /**
     * The machine's 1-minute load average, NaN where the OS does not tell. Whatever else runs on these cores lowers
     * both figures, and not necessarily equally, since the phases run one after the other.
     */
    private static double loadAverage() {
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return load < 0 ? Double.NaN : load;
    }
}
