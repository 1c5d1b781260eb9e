package dev.corkboard.converger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The converger's meters:
 * <ul>
 *   <li>{@code corkboard.converger.passes{ending=completed|deposed|failed}} passes run;</li>
 *   <li>{@code corkboard.converger.pass.duration} time per pass;</li>
 *   <li>{@code corkboard.converger.repairs{repair=kicked|demoted|failed|expired|pruned|lost|refused|error}} repairs
 *       that landed (the first five) and those that did not;</li>
 *   <li>{@code corkboard.converger.tasks{state=pending|claimed|running|completed|resolving|unreadable}} records per
 *       state in the last pass's snapshot;</li>
 *   <li>{@code corkboard.converger.leader} 1 while this converger leads, else 0.</li>
 * </ul>
 */
final class ConvergerMetrics {

    private final MeterRegistry registry;
    private final Timer duration;
    private final AtomicLong leader = new AtomicLong();
    private final AtomicLong[] tasks = new AtomicLong[6];
    private static final String[] STATES = {"pending", "claimed", "running", "completed", "resolving", "unreadable"};

    ConvergerMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.duration = Timer.builder("corkboard.converger.pass.duration").description("time one pass took")
                .register(registry);
        Gauge.builder("corkboard.converger.leader", leader, AtomicLong::get)
                .description("1 while this converger leads, else 0").register(registry);
        for (int i = 0; i < STATES.length; i++) {
            tasks[i] = new AtomicLong();
            Gauge.builder("corkboard.converger.tasks", tasks[i], AtomicLong::get)
                    .description("task records per state in the last pass's snapshot").tag("state", STATES[i])
                    .register(registry);
        }
        // register every series up front so dashboards see zeros, not gaps
        for (String ending : new String[] {"completed", "deposed", "failed"}) {
            passes(ending);
        }
        for (String repair : new String[] {"kicked", "demoted", "failed", "expired", "pruned", "lost", "refused",
            "error"}) {
            repairs(repair);
        }
    }

    void leading(boolean leads) {
        leader.set(leads ? 1 : 0);
    }

    void passed(PassReport report) {
        String ending = report.ending() instanceof PassReport.Ending.Completed ? "completed"
                : report.ending() instanceof PassReport.Ending.Deposed ? "deposed" : "failed";
        passes(ending).increment();
        duration.record(report.duration());
        PassReport.RepairCounts r = report.repairs();
        repairs("kicked").increment(r.kicked());
        repairs("demoted").increment(r.demoted());
        repairs("failed").increment(r.failed());
        repairs("expired").increment(r.expired());
        repairs("pruned").increment(r.pruned());
        repairs("lost").increment(r.lost());
        repairs("refused").increment(r.refused());
        repairs("error").increment(r.errors());
        if (ending.equals("completed")) {
            PassReport.TaskCounts t = report.tasks();
            long[] counts = {t.pending(), t.claimed(), t.running(), t.completed(), t.resolving(), t.unreadable()};
            for (int i = 0; i < counts.length; i++) {
                tasks[i].set(counts[i]);
            }
        }
    }

    private Counter passes(String ending) {
        return Counter.builder("corkboard.converger.passes").description("converger passes by how they ended")
                .tag("ending", ending).register(registry);
    }

    private Counter repairs(String repair) {
        return Counter.builder("corkboard.converger.repairs").description("repairs by kind; lost, refused and error "
                + "did not land").tag("repair", repair).register(registry);
    }
}
