package dev.corkboard.executor.runtime;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Measures, for each runtime over {@code runs} containers, and prints median and p99 of: create() → start() returned
 * (launcher spawned); create() → the first line of {@code echo} reached the sink (the task's process really runs
 * inside); start-to-exit of {@code true} (start() called until await() returned); close(). Not a test: run by
 * hand, e.g. {@code java -cp target/classes:target/test-classes:<slf4j, logback jars>
 * dev.corkboard.executor.runtime.RuntimeLatencyMain 200 [sandbox oci process]} (the runtimes named after the count,
 * all three by default).
 */
public final class RuntimeLatencyMain {

    private RuntimeLatencyMain() {}

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        Path workDir = Files.createTempDirectory("corkboard-latency");
        List<String> names = args.length > 1 ? List.of(args).subList(1, args.length)
                : List.of(SandboxRuntime.NAME, OciRuntime.NAME, ProcessRuntime.NAME);
        for (String name : names) {
            measure(name, workDir, runs);
        }
    }

    private static void measure(String name, Path workDir, int runs) throws Exception {
        RuntimeSettings settings = new RuntimeSettings(workDir, "corkboard-latency", "corkboard-latency-", 64, 64, 0);
        List<Long> createToStarted = new ArrayList<>();
        List<Long> startToExit = new ArrayList<>();
        List<Long> close = new ArrayList<>();
        List<Long> createToFirstLine = new ArrayList<>();
        try (ContainerRuntime runtime = ContainerRuntimes.create(name, settings)) {
            for (int i = 0; i < runs + 10; i++) {
                ContainerSpec spec = SpecBuilder.command(settings.ownerPrefix() + name + i, "true").build();
                long t0 = System.nanoTime();
                Container container = runtime.create(spec);
                long t1 = System.nanoTime();
                container.start((stream, line) -> {});
                long t2 = System.nanoTime();
                ExitOutcome outcome = container.await();
                long t3 = System.nanoTime();
                container.close();
                long t4 = System.nanoTime();
                if (!outcome.succeeded()) {
                    throw new IllegalStateException(name + " run " + i + ": " + outcome);
                }
                if (i >= 10) { // the first runs warm up the JVM
                    createToStarted.add(t2 - t0);
                    startToExit.add(t3 - t1);
                    close.add(t4 - t3);
                }
            }
            for (int i = 0; i < runs + 10; i++) {
                ContainerSpec spec = SpecBuilder.command(settings.ownerPrefix() + name + "echo" + i, "echo", "up")
                        .build();
                CompletableFuture<Long> firstLine = new CompletableFuture<>();
                long t0 = System.nanoTime();
                try (Container container = runtime.create(spec)) {
                    container.start((stream, line) -> firstLine.complete(System.nanoTime()));
                    container.await();
                }
                if (i >= 10) {
                    createToFirstLine.add(firstLine.get() - t0);
                }
            }
        }
        System.out.printf("%-8s runs=%d  create->started median %s p99 %s | start->exit median %s p99 %s"
                + " | close median %s p99 %s%n", name, runs, percentile(createToStarted, 50),
                percentile(createToStarted, 99), percentile(startToExit, 50), percentile(startToExit, 99),
                percentile(close, 50), percentile(close, 99));
        System.out.printf("%-8s runs=%d  create->first line of echo median %s p99 %s%n", name, runs,
                percentile(createToFirstLine, 50), percentile(createToFirstLine, 99));
    }

    private static String percentile(List<Long> nanos, int percent) {
        List<Long> sorted = new ArrayList<>(nanos);
        Collections.sort(sorted);
        long value = sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(percent / 100.0 * sorted.size()) - 1));
        return String.format("%.1f ms", value / (double) TimeUnit.MILLISECONDS.toNanos(1));
    }
}
