package dev.corkboard.executor.agent;

import dev.corkboard.executor.runtime.ExitOutcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/** The agent's meters (Prometheus names {@code corkboard_executor_*}). */
final class AgentMetrics {

    private final MeterRegistry registry;
    private final Counter claimed;
    private final Counter claimEmpty;
    private final Counter delivered;
    private final Timer claimToStart;

    AgentMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.claimed = Counter.builder("corkboard.executor.claims").tag("outcome", "claimed")
                .description("ClaimNext long-polls by outcome").register(registry);
        this.claimEmpty = Counter.builder("corkboard.executor.claims").tag("outcome", "empty")
                .description("ClaimNext long-polls by outcome").register(registry);
        this.delivered = Counter.builder("corkboard.executor.results.delivered")
                .description("task results the BBS accepted").register(registry);
        this.claimToStart = Timer.builder("corkboard.executor.claim.to.start")
                .description("from a task's claim reaching the agent to its process running")
                .publishPercentiles(0.5, 0.99).register(registry);
    }

    void claim(boolean gotTask) {
        (gotTask ? claimed : claimEmpty).increment();
    }

    void resultDelivered() {
        delivered.increment();
    }

    void processStarted(long nanosSinceClaim) {
        claimToStart.record(nanosSinceClaim, TimeUnit.NANOSECONDS);
    }

    void taskEnded(ExitOutcome outcome) {
        String ending;
        if (outcome instanceof ExitOutcome.Exited exited) {
            ending = exited.status() == 0 ? "succeeded" : "exit_status";
        } else if (outcome instanceof ExitOutcome.OutOfMemory) {
            ending = "out_of_memory";
        } else if (outcome instanceof ExitOutcome.PidsLimit) {
            ending = "pids_limit";
        } else if (outcome instanceof ExitOutcome.TimedOut) {
            ending = "timed_out";
        } else {
            ending = "stopped";
        }
        Counter.builder("corkboard.executor.tasks.ended").tag("ending", ending)
                .description("tasks whose process ended, by how").register(registry).increment();
    }

    void running(IntSupplier running) {
        Gauge.builder("corkboard.executor.tasks.running", running::getAsInt)
                .description("tasks holding a container now").register(registry);
    }

    void spoolSize(IntSupplier size) {
        Gauge.builder("corkboard.executor.spool.size", size::getAsInt)
                .description("results waiting in the local spool for a BBS").register(registry);
    }
}
