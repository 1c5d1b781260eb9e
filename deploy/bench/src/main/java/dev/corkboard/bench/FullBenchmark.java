package dev.corkboard.bench;

import dev.corkboard.bbs.store.EtcdConnection;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.DeleteOption;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
 * The whole control plane against raw etcd, in one run on one etcd (DESIGN.md §7):
 * <ol>
 *   <li>the ceiling: single-key CAS transactions per second through jetcd ({@link CasCeiling});</li>
 *   <li>full lifecycles per second through the BBS's gRPC API, the BBS a JVM of its own ({@link BbsProcess}) loaded
 *       by a {@link SimulatedFleet} in a closed loop, once per {@link BbsVariant} this BBS build supports, with the
 *       BBS's CPU in the window and its heap;</li>
 *   <li>desire → claimed latency at half the best of those rates, open loop ({@link PacedClaims});</li>
 *   <li>tasks end to end through real executor agents running {@code /bin/true} ({@link EndToEnd}).</li>
 * </ol>
 * The last two run on the BBS of the fastest variant, kept up after its lifecycles.
 * Progress goes to stderr, so that with {@code --json} the command's output holds the JSON object alone. It exits 1
 * when a phase saw failures or could not be measured.
 */
@Command(name = "all", description = "The etcd CAS ceiling, lifecycles/s through the BBS gRPC API per BBS variant,"
        + " desire->claimed latency at half the peak, and tasks end to end through executor agents, in one run.")
public final class FullBenchmark implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Option(names = "--duration", paramLabel = "S",
            description = "Measured seconds of each throughput and latency phase (default: ${DEFAULT-VALUE}).")
    int durationSeconds = 10;

    @Option(names = "--warmup", paramLabel = "S", description = "Warm-up seconds before each measured window; a"
            + " closed loop's goes on, up to 4 times as long, while this JVM's JIT is still compiling"
            + " (default: ${DEFAULT-VALUE}).")
    int warmupSeconds = 5;

    @Option(names = "--in-flight", paramLabel = "N",
            description = "CAS transactions and lifecycles in flight (default: ${DEFAULT-VALUE}).")
    int inFlight = 64;

    @Option(names = "--executors", paramLabel = "N",
            description = "Simulated executors, one ClaimNext parked each (default: ${DEFAULT-VALUE}).")
    int executors = 64;

    @Option(names = "--transition-batch", paramLabel = "N",
            description = "Transitions per etcd transaction of the batched and vertx variants"
                    + " (default: ${DEFAULT-VALUE}).")
    int transitionBatch = 16;

    @Option(names = "--variants", split = ",", paramLabel = "NAME",
            description = "BBS variants of the lifecycle phase, of unbatched (--transition-batch=1), batched"
                    + " (--transition-batch=N) and vertx (batched, --etcd-transport=vertx) (default: all).")
    List<String> variantNames = List.of("unbatched", "batched", "vertx");

    @Option(names = "--e2e-tasks", paramLabel = "N",
            description = "Measured end-to-end tasks (default: ${DEFAULT-VALUE}).")
    int e2eTasks = 300;

    @Option(names = "--e2e-warmup", paramLabel = "N",
            description = "End-to-end tasks before the measured ones (default: ${DEFAULT-VALUE}).")
    int e2eWarmup = 30;

    @Option(names = "--e2e-runtime", paramLabel = "NAME",
            description = "Runtime of the end-to-end agents (default: ${DEFAULT-VALUE}).")
    String e2eRuntime = "sandbox";

    @Option(names = "--bbs-jvm-option", paramLabel = "OPTION",
            description = "A further JVM option of every BBS process, e.g. -XX:+UseParallelGC (repeatable).")
    List<String> bbsJvmOptions = new ArrayList<>();

    @Option(names = "--profile", paramLabel = "DIR", description = "Record each BBS process with Java Flight"
            + " Recorder (settings 'profile') into DIR/bbs-<variant>.jfr, from its start to its end; the fastest"
            + " variant's recording covers the latency and end-to-end phases too.")
    Optional<Path> profileDir = Optional.empty();

    @Option(names = "--endpoints", paramLabel = "URL", split = ",",
            description = "etcd client URLs to use instead of starting a local etcd; the run's keys are removed after.")
    List<String> endpoints = List.of();

    @Option(names = "--json", description = "Print one JSON object instead of the table.")
    boolean json;

    private final PrintStream progress = System.err;

    public static void main(String[] args) {
        System.exit(new CommandLine(new FullBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        List<BbsVariant> variants = checkOptions();
        MachineLoad loadAtStart = MachineLoad.now();
        Instant date = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        String prefix = EtcdUnderTest.runPrefix("all-", date);
        // EtcdConnection, as the BBS opens it: a bounded callback pool, jetcd's default one being unbounded
        try (EtcdUnderTest etcd = endpoints.isEmpty() ? EtcdUnderTest.startLocal() : EtcdUnderTest.existing(endpoints);
                EtcdConnection connection = EtcdConnection.open(etcd.endpoints().stream().map(URI::create).toList(),
                        "jetcd")) {
            Client client = connection.client();
            String version = etcd.version(client);
            progress.printf("etcd %s at %s; keys under %s%n", version, String.join(",", etcd.endpoints()), prefix);
            FullReport report;
            try {
                report = measure(client, etcd.endpoints(), prefix, variants, version, date, loadAtStart);
            } finally {
                removeRunKeys(client, prefix);
            }
            if (json) {
                spec.commandLine().getOut().println(report.toJson());
            } else {
                report.printTable(spec.commandLine().getOut());
            }
            spec.commandLine().getOut().flush();
            return report.allMeasured() ? 0 : 1;
        }
    }

    private List<BbsVariant> checkOptions() {
        if (durationSeconds < 1 || warmupSeconds < 0 || inFlight < 1 || executors < 1 || transitionBatch < 2
                || e2eTasks < 1 || e2eWarmup < 0) {
            throw new ParameterException(spec.commandLine(), "--duration, --in-flight, --executors and --e2e-tasks"
                    + " must be at least 1, --transition-batch at least 2, --warmup and --e2e-warmup at least 0");
        }
        List<BbsVariant> known = BbsVariant.all(transitionBatch);
        List<BbsVariant> chosen = new ArrayList<>();
        for (String name : variantNames) {
            chosen.add(known.stream().filter(variant -> variant.name().equals(name)).findFirst().orElseThrow(() ->
                    new ParameterException(spec.commandLine(), "--variants: no variant '" + name + "'; expected"
                            + " some of unbatched, batched, vertx")));
        }
        if (chosen.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "--variants must name at least one variant");
        }
        return chosen;
    }

    private FullReport measure(Client client, List<String> etcdEndpoints, String prefix, List<BbsVariant> variants,
            String version, Instant date, MachineLoad loadAtStart) throws InterruptedException {
        progress.printf("1. ceiling: single-key CAS, %d in flight, warm-up of at least %d s, %d s measured%n",
                inFlight, warmupSeconds, durationSeconds);
        PhaseResult cas = ClosedLoop.run(new CasCeiling(client.getKVClient(), prefix + "/cas/", inFlight),
                inFlight, Duration.ofSeconds(warmupSeconds), Duration.ofSeconds(durationSeconds));

        List<LifecycleFigures> lifecycles = new ArrayList<>();
        List<String> notMeasured = new ArrayList<>();
        EndToEnd.Settings e2eSettings = new EndToEnd.Settings(e2eRuntime, 2, 4, e2eTasks, e2eWarmup, 16);
        Optional<PacedClaims.Outcome> claims = Optional.empty();
        Optional<TaskBatch.Outcome> e2e = Optional.empty();
        // The fastest variant's BBS stays up for the latency and end-to-end phases, its JIT warm from the lifecycles:
        // paced at half its peak, a cold BBS would build a queue in its first seconds that the window would measure.
        Optional<BbsProcess> fastest = Optional.empty();
        try {
            for (BbsVariant variant : variants) {
                VariantRun run = lifecycles(etcdEndpoints, prefix, variant);
                lifecycles.add(run.figures());
                if (run.bbs().isPresent() && LifecycleFigures.peak(lifecycles).orElseThrow().variant() == variant) {
                    closeIfPresent(fastest);
                    fastest = run.bbs();
                } else {
                    closeIfPresent(run.bbs());
                }
            }
            if (fastest.isPresent()) {
                claims = Optional.of(claims(fastest.get(),
                        LifecycleFigures.peak(lifecycles).orElseThrow().window().perSecond() / 2));
                e2e = endToEnd(fastest.get(), e2eSettings, notMeasured);
            } else {
                notMeasured.add("claim latency and end to end: no BBS variant could be measured");
            }
        } finally {
            closeIfPresent(fastest);
        }
        progress.println("done");
        BbsVariant latencyVariant = LifecycleFigures.peak(lifecycles).map(LifecycleFigures::variant)
                .orElse(variants.get(0));
        return new FullReport(cas, lifecycles, latencyVariant, claims, e2eSettings, e2e, notMeasured,
                new FullReport.Settings(inFlight, executors, durationSeconds, warmupSeconds),
                new FullReport.Machine(Runtime.getRuntime().availableProcessors(), version,
                        System.getProperty("java.version"), GitCommit.current(), loadAtStart, MachineLoad.now()),
                date);
    }

    /** A variant's figures, and its BBS while it is still up. */
    private record VariantRun(LifecycleFigures figures, Optional<BbsProcess> bbs) {}

    /** Lifecycles through a BBS of this variant; a measured variant's BBS is returned up, for the caller to close. */
    private VariantRun lifecycles(List<String> etcdEndpoints, String prefix, BbsVariant variant)
            throws InterruptedException {
        Optional<String> unsupported = variant.unsupported();
        if (unsupported.isPresent()) {
            progress.printf("2. lifecycles, %s: not measured: %s%n", variant.name(), unsupported.get());
            return new VariantRun(new LifecycleFigures.Skipped(variant, unsupported.get()), Optional.empty());
        }
        progress.printf("2. lifecycles through the BBS API, %s (%s): %d in flight, %d executors, warm-up %d s,"
                + " %d s measured%n", variant.name(), variant.describe(), inFlight, executors, warmupSeconds,
                durationSeconds);
        Optional<BbsProcess> bbs = Optional.empty();
        try {
            bbs = Optional.of(BbsProcess.start(etcdEndpoints, prefix + "/" + variant.name(), variant.flags(),
                    jvmOptions(variant.name())));
            try (SimulatedFleet fleet = SimulatedFleet.start(bbs.get().endpoint(), executors, variant.name(),
                    (guid, nanos) -> { })) {
                PhaseResult window = ClosedLoop.run(slot -> fleet.lifecycle(fleet.nextGuid()), inFlight,
                        Duration.ofSeconds(warmupSeconds), Duration.ofSeconds(durationSeconds));
                double heapAfterGc = bbs.get().heapAfterFullGcMb();
                double heapPeak = bbs.get().gc().peakBeforeMb();
                return new VariantRun(new LifecycleFigures.Measured(variant, window, fleet.executors().failures(),
                        fleet.executors().firstFailure(), heapAfterGc, heapPeak), bbs);
            }
        } catch (IOException | IllegalStateException e) {
            closeIfPresent(bbs);
            progress.printf("2. lifecycles, %s: broke off: %s%n", variant.name(), firstLine(e));
            return new VariantRun(new LifecycleFigures.Skipped(variant, "broke off: " + firstLine(e)),
                    Optional.empty());
        }
    }

    private static void closeIfPresent(Optional<BbsProcess> bbs) throws InterruptedException {
        if (bbs.isPresent()) {
            bbs.get().close();
        }
    }

    private PacedClaims.Outcome claims(BbsProcess bbs, double rate) throws InterruptedException {
        progress.printf("3. desire->claimed latency: %.0f desires/s (half the peak), open loop, warm-up %d s, %d s"
                + " measured%n", rate, warmupSeconds, durationSeconds);
        PacedClaims paced = new PacedClaims();
        try (SimulatedFleet fleet = SimulatedFleet.start(bbs.endpoint(), executors, "paced", paced)) {
            return paced.run(fleet::lifecycle, fleet::nextGuid, rate, Duration.ofSeconds(warmupSeconds),
                    Duration.ofSeconds(durationSeconds));
        }
    }

    private Optional<TaskBatch.Outcome> endToEnd(BbsProcess bbs, EndToEnd.Settings settings, List<String> notMeasured)
            throws InterruptedException {
        progress.printf("4. end to end through %d %s agents%n", settings.agents(), settings.runtime());
        try {
            return Optional.of(EndToEnd.run(bbs.endpoint(), settings, progress));
        } catch (IOException | IllegalStateException e) {
            progress.printf("4. end to end: not measured: %s%n", firstLine(e));
            notMeasured.add("end to end: " + firstLine(e));
            return Optional.empty();
        }
    }

    /** The JVM options of one variant's BBS process: those given, and its flight recording when profiling. */
    private List<String> jvmOptions(String variant) {
        List<String> options = new ArrayList<>(bbsJvmOptions);
        profileDir.ifPresent(dir -> options.add("-XX:StartFlightRecording=settings=profile,dumponexit=true,filename="
                + dir.toAbsolutePath().resolve("bbs-" + variant + ".jfr")));
        return options;
    }

    private static String firstLine(Exception e) {
        return String.valueOf(e.getMessage()).lines().findFirst().orElse("").strip();
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
