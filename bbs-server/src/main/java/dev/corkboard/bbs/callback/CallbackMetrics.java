package dev.corkboard.bbs.callback;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * What completion callbacks count:
 * <ul>
 *   <li>{@code corkboard.callbacks{outcome}}: delivery rounds. {@code attempted} counts rounds this replica won
 *       (Resolving applied) and started posting; each ends as {@code succeeded}, {@code failed} or
 *       {@code unresolved}. {@code lost} (another replica won, or the task moved on) and {@code unclaimed} (etcd
 *       unreachable) count rounds that never posted.</li>
 *   <li>{@code corkboard.callbacks.requests{status}}: HTTP requests, by status class ({@code 2xx}, {@code 4xx},
 *       {@code 5xx}, …) or {@code error} when no answer came.</li>
 *   <li>{@code corkboard.callbacks.latency{outcome}}: from the first request of a round to its verdict, retries and
 *       backoff included.</li>
 *   <li>{@code corkboard.callbacks.queue.depth}: tasks waiting for a worker.</li>
 *   <li>{@code corkboard.callbacks.dropped}: tasks not queued because the queue stayed full; the converger's
 *       re-notify offers them again.</li>
 *   <li>{@code corkboard.callbacks.follow.restarts{reason}}: listings or watches of completed tasks started again,
 *       after a {@code failure} (etcd unreachable, a watch cut off) or a {@code resync} (compaction).</li>
 * </ul>
 */
final class CallbackMetrics {

    private final MeterRegistry registry;
    private final Counter dropped;

    CallbackMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.dropped = Counter.builder("corkboard.callbacks.dropped")
                .description("completed tasks not queued for callback delivery because the queue was full")
                .register(registry);
    }

    void queueDepth(Supplier<Number> depth) {
        Gauge.builder("corkboard.callbacks.queue.depth", depth)
                .description("completed tasks waiting for a callback worker")
                .register(registry);
    }

    void attempted() {
        round("attempted");
    }

    void ended(DeliveryOutcome outcome) {
        round(outcome.tag());
    }

    void request(AttemptResult result) {
        String status = result instanceof AttemptResult.Answered answered ? (answered.status() / 100) + "xx" : "error";
        Counter.builder("corkboard.callbacks.requests")
                .description("HTTP requests to completion callback URLs, by status class")
                .tag("status", status).register(registry).increment();
    }

    void latency(boolean delivered, Duration elapsed) {
        Timer.builder("corkboard.callbacks.latency")
                .description("one delivery round, from its first request to its verdict")
                .tag("outcome", delivered ? "succeeded" : "failed")
                .register(registry).record(elapsed);
    }

    void dropped() {
        dropped.increment();
    }

    void followRestarted(boolean resync) {
        Counter.builder("corkboard.callbacks.follow.restarts")
                .description("listings or watches of completed tasks started again")
                .tag("reason", resync ? "resync" : "failure").register(registry).increment();
    }

    private void round(String outcome) {
        Counter.builder("corkboard.callbacks")
                .description("completion callback delivery rounds, by outcome")
                .tag("outcome", outcome).register(registry).increment();
    }
}
