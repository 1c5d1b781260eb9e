package dev.corkboard.bench;

import dev.corkboard.bbs.state.TaskLifecycle;
import dev.corkboard.bbs.store.EtcdTaskStore;
import dev.corkboard.bbs.store.ExecutorPresences;
import dev.corkboard.bbs.store.Fence;
import dev.corkboard.bbs.store.Keys;
import dev.corkboard.bbs.store.StoreSettings;
import dev.corkboard.converger.ConvergencePass;
import dev.corkboard.converger.ConvergerObserver;
import dev.corkboard.converger.ConvergerSettings;
import dev.corkboard.converger.PassReport;
import dev.corkboard.proto.v1.Command;
import dev.corkboard.proto.v1.ExecutorPresence;
import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskDefinition;
import dev.corkboard.proto.v1.TaskState;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.PutOption;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * One converger pass over a large task table (DESIGN.md §7: a pass over 100k tasks under 2 s). For each size the
 * table is filled with records in mixed states, about one in twenty needing a repair, written directly with their
 * index keys (going through the store would take minutes at 100k); then a first pass repairs what it must and a
 * second pass finds nothing to do. Each is timed, with the heap the JVM used during it.
 */
@CommandLine.Command(name = "converger", description = "Time converger passes over large task tables, with heap used.")
public final class ConvergerBenchmark implements Callable<Integer> {

    private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
    private static final int FILL_IN_FLIGHT = 64;
    private static final TaskDefinition DEFINITION = TaskDefinition.newBuilder()
            .setCommand(Command.newBuilder().setPath("/bin/stage").addArgs("--app").addArgs("demo")).build();

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Option(names = "--tasks", split = ",", paramLabel = "N",
            description = "Table sizes to measure (default: ${DEFAULT-VALUE}).")
    List<Integer> sizes = List.of(10_000, 100_000);

    @Option(names = "--page-size", split = ",", paramLabel = "N", description = "Records per page: the first size"
            + " runs the repairing pass, each size then runs one steady pass (default: ${DEFAULT-VALUE}).")
    List<Integer> pageSizes = List.of(ConvergerSettings.DEFAULT_PAGE_SIZE);

    @Option(names = "--writes-in-flight", paramLabel = "N",
            description = "Repairs in flight (default: ${DEFAULT-VALUE}).")
    int writesInFlight = ConvergerSettings.DEFAULT_MAX_WRITES_IN_FLIGHT;

    @Option(names = "--endpoints", paramLabel = "URL", split = ",",
            description = "etcd client URLs to use instead of starting a local etcd; the run's keys are removed after.")
    List<String> endpoints = List.of();

    private final PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
        try (EtcdUnderTest etcd = endpoints.isEmpty() ? EtcdUnderTest.startLocal() : EtcdUnderTest.existing(endpoints);
                Client client = Client.builder().endpoints(etcd.endpoints().toArray(new String[0]))
                        .executorService(Executors.newFixedThreadPool(4)).build()) {
            out.printf("etcd %s at %s; %d writes in flight, max heap %d MiB%n", etcd.version(client),
                    etcd.endpoints().get(0), writesInFlight, Runtime.getRuntime().maxMemory() >> 20);
            out.printf("%-8s %-6s %-6s %9s %8s %8s %7s %7s %7s %7s %11s %11s%n", "tasks", "pass", "page", "ms", "tasks/s",
                    "landed", "kicked", "demoted", "failed", "expired", "heap MiB", "after GC");
            for (int size : sizes) {
                measure(client, size);
            }
        }
        return 0;
    }

    private void measure(Client client, int size) throws InterruptedException {
        StoreSettings store = StoreSettings.defaults().withPrefix("/bench-converger-" + UUID.randomUUID()
                .toString().substring(0, 8));
        try {
            long filled = System.nanoTime();
            fill(client.getKVClient(), Keys.under(store.prefix()), store.prefix(), size);
            System.err.printf("filled %d tasks in %d ms%n", size, (System.nanoTime() - filled) / 1_000_000);
            Fence fence = electionKey(client.getKVClient(), store.prefix());
            run(pass(client, store, pageSizes.get(0)), fence, size, pageSizes.get(0), "repair");
            // the repair pass demoted resolving tasks; the next one expires them, so it is not yet steady
            pass(client, store, pageSizes.get(0)).run(fence);
            for (int pageSize : pageSizes) {
                run(pass(client, store, pageSize), fence, size, pageSize, "steady");
            }
        } finally {
            client.getKVClient().delete(ByteSequence.from(store.prefix() + "/", StandardCharsets.UTF_8),
                    DeleteOption.builder().isPrefix(true).build()).join();
        }
    }

    private ConvergencePass pass(Client client, StoreSettings store, int pageSize) {
        ConvergerSettings defaults = ConvergerSettings.defaults();
        ConvergerSettings settings = new ConvergerSettings(defaults.interval(), defaults.kick(),
                defaults.claimTimeout(), defaults.pendingExpiry(), defaults.completedExpiry(), defaults.leaseTtl(),
                pageSize, writesInFlight);
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        return new ConvergencePass(new EtcdTaskStore(client, new TaskLifecycle(), clock, store.withKnownRecords(0),
                new SimpleMeterRegistry()), new ExecutorPresences(client.getKVClient(), store), settings, clock,
                ConvergerObserver.NONE);
    }

    private void run(ConvergencePass pass, Fence fence, int size, int pageSize, String name)
            throws InterruptedException {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        System.gc();
        long base = memory.getHeapMemoryUsage().getUsed();
        AtomicLong peak = new AtomicLong(base);
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        sampler.start();
        PassReport report = pass.run(fence);
        sampler.interrupt();
        sampler.join();
        System.gc();
        long after = memory.getHeapMemoryUsage().getUsed();
        PassReport.RepairCounts r = report.repairs();
        long millis = report.duration().toMillis();
        out.printf("%-8d %-6s %-6d %9d %8d %8d %7d %7d %7d %7d %11d %11d%n", size, name, pageSize, millis,
                millis == 0 ? 0 : report.tasks().total() * 1000 / millis, r.landed(), r.kicked(), r.demoted(),
                r.failed(), r.expired(), peak.get() >> 20, after >> 20);
        if (!(report.ending() instanceof PassReport.Ending.Completed)) {
            out.println("  pass ended " + report.ending());
        }
    }

    /** Puts the election key a leader would hold, so every repair carries a real fence compare. */
    private static Fence electionKey(KV kv, String prefix) {
        ByteSequence key = ByteSequence.from(prefix + "/election/converger/bench", StandardCharsets.UTF_8);
        kv.put(key, ByteSequence.from("bench", StandardCharsets.UTF_8)).join();
        return Fence.electionKey(key, kv.get(key).join().getKvs().get(0).getCreateRevision());
    }

    /** Writes {@code size} records in mixed states with their index keys, 20 per transaction, 64 in flight. */
    private static void fill(KV kv, Keys keys, String prefix, int size) throws InterruptedException {
        kv.put(keys.executor("cell-1"), ByteSequence.from(ExecutorPresence.newBuilder().setExecutorId("cell-1")
                .build().toByteArray())).join();
        Random random = new Random(42);
        Semaphore inFlight = new Semaphore(FILL_IN_FLIGHT);
        AtomicLong failures = new AtomicLong();
        List<Op> ops = new ArrayList<>(60);
        for (int i = 0; i < size; i++) {
            Task task = task(String.format("task-%07d", i), random);
            ops.add(Op.put(bytes(prefix + "/tasks/" + task.getGuid()), ByteSequence.from(task.toByteArray()),
                    PutOption.DEFAULT));
            ops.add(Op.put(bytes(prefix + "/index/state/" + task.getState() + "/" + task.getDomain() + "/"
                    + task.getGuid()), ByteSequence.EMPTY, PutOption.DEFAULT));
            if (!task.getExecutorId().isEmpty()) {
                ops.add(Op.put(bytes(prefix + "/index/executor/" + task.getExecutorId() + "/" + task.getGuid()),
                        ByteSequence.EMPTY, PutOption.DEFAULT));
            }
            if (ops.size() < 57 && i < size - 1) {
                continue;
            }
            inFlight.acquire();
            kv.txn().Then(ops.toArray(new Op[0])).commit().whenComplete((response, failure) -> {
                if (failure != null) {
                    failures.incrementAndGet();
                }
                inFlight.release();
            });
            ops = new ArrayList<>(60);
        }
        inFlight.acquire(FILL_IN_FLIGHT);
        inFlight.release(FILL_IN_FLIGHT);
        if (failures.get() > 0) {
            throw new IllegalStateException(failures.get() + " of " + size + " records could not be written");
        }
    }

    /** A record in a random state; one in twenty is stale enough for a repair, one per rule in turn. */
    private static Task task(String guid, Random random) {
        boolean stale = random.nextInt(20) == 0;
        long now = NOW.toEpochMilli();
        long age = stale ? Duration.ofHours(1).toMillis() : 1_000;
        Task.Builder task = Task.newBuilder().setGuid(guid).setDomain("bench").setDefinition(DEFINITION)
                .setCreatedAtMs(now - age).setUpdatedAtMs(now - age);
        int roll = random.nextInt(100);
        if (roll < 40) {
            return task.setState(TaskState.PENDING).build();
        }
        task.setExecutorId(stale && roll < 50 ? "cell-gone" : "cell-1").setClaimedAtMs(now - age);
        if (roll < 50) {
            return task.setState(TaskState.CLAIMED).build();
        } else if (roll < 75) {
            return task.setState(TaskState.RUNNING).setContainerHandle("c-" + guid).build();
        }
        task.setFirstCompletedAtMs(now - age).setResult("ok");
        return task.setState(roll < 95 ? TaskState.COMPLETED : TaskState.RESOLVING).build();
    }

    private static ByteSequence bytes(String key) {
        return ByteSequence.from(key, StandardCharsets.UTF_8);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new ConvergerBenchmark()).execute(args));
    }
}
