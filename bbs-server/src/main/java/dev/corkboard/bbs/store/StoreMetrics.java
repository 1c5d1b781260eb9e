package dev.corkboard.bbs.store;

import dev.corkboard.bbs.state.Call;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;

/**
 * What the store counts: transitions by call and outcome, lost compare-and-swap races, unreadable records, and how
 * transitions were batched into transactions.
 */
final class StoreMetrics {

    private final Map<Call, Counter> conflicts = new EnumMap<>(Call.class);
    private final Map<Call, Map<Outcome, Counter>> transitions = new EnumMap<>(Call.class);
    private final Counter unparseable;
    private final Counter slowConsumers;
    private final DistributionSummary batchSizes;
    private final Counter batchConflicts;
    private final Counter batchResubmitted;

    StoreMetrics(MeterRegistry registry) {
        for (Call call : Call.values()) {
            conflicts.put(call, Counter.builder("corkboard.store.conflicts")
                    .description("compare-and-swap attempts that lost to a concurrent write and were re-decided")
                    .tag("call", call.verb()).register(registry));
            Map<Outcome, Counter> byOutcome = new EnumMap<>(Outcome.class);
            for (Outcome outcome : Outcome.values()) {
                byOutcome.put(outcome, Counter.builder("corkboard.store.transitions")
                        .description("task calls by outcome")
                        .tag("call", call.verb()).tag("outcome", outcome.tag).register(registry));
            }
            transitions.put(call, byOutcome);
        }
        this.unparseable = Counter.builder("corkboard.store.records.unparseable")
                .description("stored task records that could not be parsed; they are skipped and reported")
                .register(registry);
        this.slowConsumers = Counter.builder("corkboard.store.watch.cutoffs")
                .description("task watches cut off because their consumer fell a full buffer behind")
                .register(registry);
        this.batchSizes = DistributionSummary.builder("corkboard.store.batch.size")
                .description("transitions per batched etcd transaction")
                .baseUnit("transitions").register(registry);
        this.batchConflicts = Counter.builder("corkboard.store.batch.conflicts")
                .description("batched transactions whose compare failed, so none of their transitions applied")
                .register(registry);
        this.batchResubmitted = Counter.builder("corkboard.store.batch.resubmitted")
                .description("transitions sent again unchanged because another task of their batch had moved on")
                .register(registry);
    }

    enum Outcome {
        APPLIED("applied"), UNCHANGED("unchanged"), REFUSED("refused"), FAILED("failed");

        private final String tag;

        Outcome(String tag) {
            this.tag = tag;
        }
    }

    void transition(Call call, Outcome outcome) {
        transitions.get(call).get(outcome).increment();
    }

    void conflict(Call call) {
        conflicts.get(call).increment();
    }

    void batchSent(int transitions) {
        batchSizes.record(transitions);
    }

    void batchConflict() {
        batchConflicts.increment();
    }

    void batchResubmitted(int transitions) {
        batchResubmitted.increment(transitions);
    }

    void unparseable() {
        unparseable.increment();
    }

    void slowConsumerCutOff() {
        slowConsumers.increment();
    }
}
