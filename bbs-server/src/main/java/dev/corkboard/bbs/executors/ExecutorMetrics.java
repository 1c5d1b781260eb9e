package dev.corkboard.bbs.executors;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.Supplier;

/**
 * What the executor side of a replica counts: ClaimNext calls by outcome ({@code claimed}, {@code empty},
 * {@code failed}) in {@code corkboard.bbs.executors.claim_next}, and gauges of the executors present, the pending
 * pool, the parked ClaimNext calls and the open WatchExecutorTasks streams.
 */
final class ExecutorMetrics {

    static final String CLAIM_NEXT = "corkboard.bbs.executors.claim_next";
    static final String PRESENT = "corkboard.bbs.executors.present";
    static final String POOL = "corkboard.bbs.executors.pending_pool";
    static final String PARKED = "corkboard.bbs.executors.parked";
    static final String STREAMS = "corkboard.bbs.executors.task_streams";

    private final MeterRegistry registry;
    private final Counter claimed;
    private final Counter empty;
    private final Counter failed;

    ExecutorMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.claimed = claimNext("claimed");
        this.empty = claimNext("empty");
        this.failed = claimNext("failed");
    }

    private Counter claimNext(String outcome) {
        return Counter.builder(CLAIM_NEXT).description("ClaimNext calls answered, by outcome")
                .tag("outcome", outcome).register(registry);
    }

    void gauge(String name, String description, Supplier<Number> value) {
        Gauge.builder(name, value).description(description).register(registry);
    }

    void claimed() {
        claimed.increment();
    }

    void empty() {
        empty.increment();
    }

    void failed() {
        failed.increment();
    }
}
