package dev.corkboard.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Desire → claimed latency under an open-loop load: tasks are desired at a fixed rate whatever the BBS answers (a
 * closed loop would slow down with the BBS and hide its queueing), and each task's latency runs from the moment its
 * desire was due to the moment its claim reached a simulated executor. Timing from the due moment rather than the
 * actual send keeps a stalled pacer from hiding a stall. Tasks run through their whole lifecycle, so the load is the
 * one the throughput phase measured, at a lower rate.
 */
final class PacedClaims implements SimulatedExecutors.ClaimListener {

    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(30);

    /**
     * @param ratePerSecond desires asked per second
     * @param desired tasks desired inside the measured window
     * @param unclaimed of those, tasks whose claim was not seen (failed, or not claimed before the drain ended)
     * @param failed lifecycles of the whole phase that failed
     * @param desireToClaimed latencies of the window's tasks
     */
    record Outcome(double ratePerSecond, long desired, long unclaimed, long failed,
            LatencySamples.Percentiles desireToClaimed) {}

    /** Due time of each window task not claimed yet. */
    private final Map<String, Long> due = new ConcurrentHashMap<>();
    private final LatencySamples latencies = new LatencySamples();

    @Override
    public void claimed(String guid, long nanoTime) {
        Long dueAt = due.remove(guid);
        if (dueAt != null) {
            latencies.record(nanoTime - dueAt);
        }
    }

    /**
     * Desires {@code ratePerSecond} tasks a second for the warm-up and then the window, through {@code lifecycle},
     * and waits for all of them to end. Tasks due in the warm-up are not counted.
     */
    Outcome run(Function<String, CompletableFuture<Boolean>> lifecycle, Supplier<String> guids,
            double ratePerSecond, Duration warmup, Duration window) throws InterruptedException {
        long period = Math.max(1, Math.round(1e9 / ratePerSecond));
        long start = System.nanoTime();
        long windowStart = start + warmup.toNanos();
        long end = windowStart + window.toNanos();
        List<CompletableFuture<Boolean>> lifecycles = new ArrayList<>();
        LongAdder failed = new LongAdder();
        long desired = 0;
        for (long dueAt = start; dueAt - end < 0; dueAt += period) {
            long wait = dueAt - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            String guid = guids.get();
            if (dueAt - windowStart >= 0) {
                due.put(guid, dueAt);
                desired++;
            }
            lifecycles.add(lifecycle.apply(guid).whenComplete((ok, failure) -> {
                if (failure != null || !Boolean.TRUE.equals(ok)) {
                    failed.increment();
                }
            }));
        }
        try {
            CompletableFuture.allOf(lifecycles.toArray(new CompletableFuture<?>[0]))
                    .get(DRAIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // counted per task above, or left unclaimed
        }
        return new Outcome(ratePerSecond, desired, due.size(), failed.sum(), latencies.percentiles());
    }
}
