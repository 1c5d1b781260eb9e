package dev.corkboard.bench;

import dev.corkboard.executor.agent.ExecutorAgent;
import dev.corkboard.executor.agent.ExecutorConfig;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One executor agent in this JVM with one runtime, its directories in a temporary folder that closing removes. The
 * agent claims only once it has settled what a previous run left, so {@link #start} waits for that.
 */
final class InProcessAgent implements AutoCloseable {

    static final String CLAIM_TO_START = "corkboard.executor.claim.to.start";
    // What the agent gives a task that names no memory; the agent's capacity is this times its containers.
    private static final int TASK_MEMORY_MB = 256;
    private static final Duration CLAIMING_WITHIN = Duration.ofSeconds(30);

    private final ExecutorAgent agent;
    private final Path workDir;

    private InProcessAgent(ExecutorAgent agent, Path workDir) {
        this.agent = agent;
        this.workDir = workDir;
    }

    /**
     * @throws IllegalStateException when the runtime cannot be used on this host (its message says why) or the agent
     *     does not start claiming in time
     * @throws IOException when the agent cannot bind its port or use its directories
     */
    static InProcessAgent start(String runtime, String bbsEndpoint, int containers)
            throws IOException, InterruptedException {
        Path workDir = Files.createTempDirectory("corkboard-bench-" + runtime + "-");
        String[] args = {"--executor-id=bench-" + runtime + "-" + UUID.randomUUID().toString().substring(0, 8),
            "--bbs=" + bbsEndpoint, "--runtime=" + runtime, "--listen=127.0.0.1:0", "--metrics-listen=off",
            "--work-dir=" + workDir, "--containers=" + containers, "--memory-mb=" + containers * TASK_MEMORY_MB,
            "--default-memory-mb=" + TASK_MEMORY_MB, "--claim-wait=5s", "--drain-timeout=5s"};
        ExecutorAgent agent;
        try {
            agent = ExecutorAgent.start(ExecutorConfig.parse(args, Map.of()));
        } catch (IOException | RuntimeException e) {
            delete(workDir);
            throw e;
        }
        InProcessAgent started = new InProcessAgent(agent, workDir);
        long deadline = System.nanoTime() + CLAIMING_WITHIN.toNanos();
        while (!agent.isClaiming()) {
            if (System.nanoTime() - deadline > 0) {
                started.close();
                throw new IllegalStateException("the " + runtime + " agent did not start claiming within "
                        + CLAIMING_WITHIN.toSeconds() + " s");
            }
            Thread.sleep(20);
        }
        return started;
    }

    /** The agent's own claim→process-started timer as it stands now. */
    ClaimToStart claimToStart() {
        Timer timer = agent.registry().find(CLAIM_TO_START).timer();
        if (timer == null) {
            return new ClaimToStart(0, 0, Double.NaN, Double.NaN);
        }
        HistogramSnapshot snapshot = timer.takeSnapshot();
        return new ClaimToStart(snapshot.count(), snapshot.total(TimeUnit.MILLISECONDS), percentile(snapshot, 0.5),
                percentile(snapshot, 0.99));
    }

    private static double percentile(HistogramSnapshot snapshot, double percentile) {
        for (ValueAtPercentile value : snapshot.percentileValues()) {
            if (value.percentile() == percentile) {
                return value.value(TimeUnit.MILLISECONDS);
            }
        }
        return Double.NaN;
    }

    /**
     * A reading of the agent's timer. The percentiles are Micrometer's bucketed estimate, not exact samples,
     * over the tasks started in the timer's decaying window, the last 40 to 60 s, so in a short run they include
     * the warm-up; the mean between two readings covers exactly the tasks started in between.
     */
    record ClaimToStart(long count, double totalMillis, double p50Millis, double p99Millis) {

        double meanMillisSince(ClaimToStart earlier) {
            long tasks = count - earlier.count;
            return tasks == 0 ? Double.NaN : (totalMillis - earlier.totalMillis) / tasks;
        }
    }

    @Override
    public void close() {
        agent.close();
        delete(workDir);
    }

    private static void delete(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            System.err.println("could not remove " + dir + ": " + e);
        }
    }
}
