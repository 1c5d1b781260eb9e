package dev.corkboard.bench;

import static dev.corkboard.bench.Json.number;
import static dev.corkboard.bench.Json.string;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The full run's figures, as a table for people or one JSON object for scripts. The design's targets (DESIGN.md §7):
 * lifecycles per second at least 0.60 of the etcd ceiling (CAS transactions per second in the same run ÷ the writes of
 * a lifecycle), and desire → claimed p99 under 50 ms at half the peak.
 */
record FullReport(PhaseResult cas, List<LifecycleFigures> lifecycles, BbsVariant latencyVariant,
        Optional<PacedClaims.Outcome> claims, EndToEnd.Settings e2eSettings, Optional<TaskBatch.Outcome> e2e,
        List<String> notMeasured, Settings settings, Machine machine, Instant date) {

    static final double TARGET_RATIO = 0.60;
    static final double TARGET_CLAIM_P99_MS = 50;

    /** What was asked for, echoed so a result says what it measured. */
    record Settings(int inFlight, int executors, int durationSeconds, int warmupSeconds) {}

    record Machine(int cores, String etcdVersion, String javaVersion, String commit, MachineLoad loadAtStart,
            MachineLoad loadAtEnd) {}

    double ceilingPerSecond() {
        return cas.perSecond() / FullLifecycle.WRITES;
    }

    List<LifecycleFigures.Measured> measured() {
        return LifecycleFigures.measured(lifecycles);
    }

    Optional<LifecycleFigures.Measured> peak() {
        return LifecycleFigures.peak(lifecycles);
    }

    Optional<LifecycleFigures.Measured> variant(String name) {
        return measured().stream().filter(m -> m.variant().name().equals(name)).findFirst();
    }

    /** Whether every phase ran and nothing in it failed: figures with failures in them are not trustworthy. */
    boolean allMeasured() {
        return notMeasured.isEmpty() && cas.failed() == 0 && cas.succeeded() > 0
                && lifecycles.stream().allMatch(f -> f instanceof LifecycleFigures.Measured m
                        && m.window().failed() == 0 && m.window().succeeded() > 0 && m.executorFailures() == 0)
                && claims.map(c -> c.failed() == 0 && c.unclaimed() == 0).orElse(false)
                && e2e.map(o -> o.failed() == 0 && o.completed() > 0).orElse(false);
    }

    private double ratio(LifecycleFigures.Measured m) {
        return m.window().perSecond() / ceilingPerSecond();
    }

    void printTable(PrintWriter out) {
        out.printf(Locale.ROOT, "Corkboard benchmark, %s, commit %s%n", date, machine.commit());
        out.printf(Locale.ROOT, "etcd %s (one member), Java %s, %d cores; the BBS a JVM of its own (%s), simulated"
                + " stager and executors in the benchmark's JVM%n", machine.etcdVersion(), machine.javaVersion(),
                machine.cores(), BbsProcess.MAX_HEAP);
        out.printf(Locale.ROOT, "%d in flight, %d simulated executors; each phase %d s measured after a warm-up of"
                + " %d s%n%n", settings.inFlight(), settings.executors(), settings.durationSeconds(),
                settings.warmupSeconds());
        out.printf(Locale.ROOT, "1. etcd ceiling       %9.1f CAS/s   p50 %6.2f ms  p99 %6.2f ms   ÷ %d writes per"
                + " lifecycle = %.1f lifecycles/s%n%n", cas.perSecond(), cas.latency().millis(50),
                cas.latency().millis(99), FullLifecycle.WRITES, ceilingPerSecond());
        out.printf(Locale.ROOT, "2. lifecycles through the BBS API (desire, ClaimNext, start, complete, watch,"
                + " resolving, resolve); ratio target >= %.2f%n", TARGET_RATIO);
        out.printf(Locale.ROOT, "  %-10s %12s %6s %9s %9s  %9s %8s %9s  %9s %9s  %6s%n", "variant", "lifecycles/s",
                "ratio", "p50 ms", "p99 ms", "BBS cores", "BBS ms/lc", "client cores", "heap MB", "peak MB",
                "failed");
        for (LifecycleFigures figures : lifecycles) {
            if (figures instanceof LifecycleFigures.Measured m) {
                PhaseResult w = m.window();
                out.printf(Locale.ROOT, "  %-10s %12.1f %6.3f %9.1f %9.1f  %9.2f %8.3f %9.2f  %9s %9s  %6d%n",
                        m.variant().name(), w.perSecond(), ratio(m), w.latency().millis(50), w.latency().millis(99),
                        w.coresBusy(m.bbsCpuSeconds()), w.cpuMillisPerOperation(m.bbsCpuSeconds()),
                        w.coresBusy(w.cpu().benchSeconds()), cell(m.heapAfterGcMb(), 1), cell(m.heapPeakMb(), 1),
                        w.failed() + m.executorFailures());
            } else if (figures instanceof LifecycleFigures.Skipped s) {
                out.printf(Locale.ROOT, "  %-10s not measured: %s%n", s.variant().name(), s.reason());
            }
        }
        out.println("  (heap MB: the BBS's heap after a full GC at the end of the phase; peak MB: most heap in use"
                + " when a collection began)");
        out.println();
        claims.ifPresent(c -> out.printf(Locale.ROOT, "3. desire->claimed at %.1f desires/s (%s, open loop): p50 %.2f"
                + " ms  p90 %.2f ms  p99 %.2f ms (target < %.0f ms); %d tasks, %d not claimed, %d failed%n%n",
                c.ratePerSecond(), latencyVariant.name(), c.desireToClaimed().millis(50),
                c.desireToClaimed().millis(90), c.desireToClaimed().millis(99), TARGET_CLAIM_P99_MS, c.desired(),
                c.unclaimed(), c.failed()));
        e2e.ifPresent(o -> out.printf(Locale.ROOT, "4. end to end, %d %s agents x %d containers, %d in flight:"
                + " %.1f tasks/s; desire->completed p50 %.1f ms  p99 %.1f ms; %d tasks, %d failed%n%n",
                e2eSettings.agents(), e2eSettings.runtime(), e2eSettings.containers(), e2eSettings.inFlight(),
                o.perSecond(), o.desireToCompleted().millis(50), o.desireToCompleted().millis(99), o.completed(),
                o.failed()));
        notMeasured.forEach(reason -> out.printf("not measured: %s%n", reason));
        out.printf(Locale.ROOT, "machine: load average (1 min) %.2f at start, %.2f at end; other JVMs running: %d at"
                + " start, %d at end%n", machine.loadAtStart().loadAverage(), machine.loadAtEnd().loadAverage(),
                machine.loadAtStart().otherJvms(), machine.loadAtEnd().otherJvms());
    }

    String toJson() {
        Optional<LifecycleFigures.Measured> peak = peak();
        StringBuilder json = new StringBuilder("{")
                .append("\"etcd_cas_per_s\":").append(number(cas.perSecond(), 1))
                .append(",\"etcd_cas_latency_ms\":").append(percentiles(cas.latency()))
                .append(",\"lifecycle_writes\":").append(FullLifecycle.WRITES)
                .append(",\"lifecycle_ceiling_per_s\":").append(number(ceilingPerSecond(), 1))
                .append(",\"lifecycles_per_s\":").append(perSecond(peak))
                .append(",\"lifecycles_peak_variant\":").append(peak.map(m -> string(m.variant().name()))
                        .orElse("null"))
                .append(",\"ratio\":").append(peak.map(m -> number(ratio(m), 3)).orElse("null"));
        for (String name : List.of("unbatched", "batched", "vertx")) {
            json.append(",\"lifecycles_per_s_").append(name).append("\":").append(perSecond(variant(name)));
        }
        json.append(",\"lifecycles\":{").append(lifecycles.stream().map(this::variantJson)
                .collect(Collectors.joining(","))).append('}');
        json.append(",\"claim_latency_ms\":").append(claims.map(c -> percentiles(c.desireToClaimed()))
                        .orElse("null"))
                .append(",\"claim_rate_per_s\":").append(claims.map(c -> number(c.ratePerSecond(), 1)).orElse("null"))
                .append(",\"claim_tasks\":").append(claims.map(c -> Long.toString(c.desired())).orElse("null"))
                .append(",\"claim_unclaimed\":").append(claims.map(c -> Long.toString(c.unclaimed())).orElse("null"))
                .append(",\"claim_failed\":").append(claims.map(c -> Long.toString(c.failed())).orElse("null"))
                .append(",\"claim_variant\":").append(string(latencyVariant.name()))
                .append(",\"e2e_tasks_per_s\":").append(e2e.map(o -> number(o.perSecond(), 1)).orElse("null"))
                .append(",\"e2e_latency_ms\":").append(e2e.map(o -> "{\"p50\":"
                        + number(o.desireToCompleted().millis(50), 2) + ",\"p99\":"
                        + number(o.desireToCompleted().millis(99), 2) + "}").orElse("null"))
                .append(",\"e2e\":{\"runtime\":").append(string(e2eSettings.runtime()))
                .append(",\"agents\":").append(e2eSettings.agents())
                .append(",\"containers\":").append(e2eSettings.containers())
                .append(",\"in_flight\":").append(e2eSettings.inFlight())
                .append(",\"tasks\":").append(e2e.map(o -> Long.toString(o.completed())).orElse("0"))
                .append(",\"failed\":").append(e2e.map(o -> Long.toString(o.failed())).orElse("null")).append('}')
                .append(",\"bbs_heap_mb\":").append(number(measured().stream()
                        .mapToDouble(LifecycleFigures.Measured::heapAfterGcMb).max().orElse(Double.NaN), 1))
                .append(",\"bbs_heap_peak_mb\":").append(number(measured().stream()
                        .mapToDouble(LifecycleFigures.Measured::heapPeakMb).max().orElse(Double.NaN), 1))
                .append(",\"bbs_cpu\":").append(peak.map(this::cpuJson).orElse("null"))
                .append(",\"client_cpu_cores\":").append(peak.map(m -> number(m.window().coresBusy(
                        m.window().cpu().benchSeconds()), 2)).orElse("null"))
                .append(",\"not_measured\":[").append(notMeasured.stream().map(Json::string)
                        .collect(Collectors.joining(","))).append(']')
                .append(",\"settings\":{\"in_flight\":").append(settings.inFlight())
                .append(",\"executors\":").append(settings.executors())
                .append(",\"duration_s\":").append(settings.durationSeconds())
                .append(",\"warmup_s\":").append(settings.warmupSeconds()).append('}')
                .append(",\"date\":").append(string(date.toString()))
                .append(",\"commit\":").append(string(machine.commit()))
                .append(",\"machine\":{\"cores\":").append(machine.cores())
                .append(",\"etcd_version\":").append(string(machine.etcdVersion()))
                .append(",\"java_version\":").append(string(machine.javaVersion()))
                .append(",\"load_average_1m\":{\"start\":").append(number(machine.loadAtStart().loadAverage(), 2))
                .append(",\"end\":").append(number(machine.loadAtEnd().loadAverage(), 2)).append('}')
                .append(",\"other_jvms\":{\"start\":").append(machine.loadAtStart().otherJvms())
                .append(",\"end\":").append(machine.loadAtEnd().otherJvms()).append("}}")
                .append('}');
        return json.toString();
    }

    private String variantJson(LifecycleFigures figures) {
        String name = string(figures.variant().name());
        if (figures instanceof LifecycleFigures.Skipped s) {
            return name + ":{\"skipped\":" + string(s.reason()) + "}";
        }
        LifecycleFigures.Measured m = (LifecycleFigures.Measured) figures;
        PhaseResult w = m.window();
        return name + ":{\"flags\":" + string(m.variant().describe())
                + ",\"per_s\":" + number(w.perSecond(), 1)
                + ",\"ratio\":" + number(ratio(m), 3)
                + ",\"latency_ms\":" + percentiles(w.latency())
                + ",\"failed\":" + w.failed()
                + ",\"executor_failures\":" + m.executorFailures()
                + ",\"bbs_cpu\":" + cpuJson(m)
                + ",\"client_cpu_cores\":" + number(w.coresBusy(w.cpu().benchSeconds()), 2)
                + ",\"etcd_cpu_cores\":" + number(w.coresBusy(w.cpu().etcdSeconds()), 2)
                + ",\"bbs_heap_mb\":" + number(m.heapAfterGcMb(), 1)
                + ",\"bbs_heap_peak_mb\":" + number(m.heapPeakMb(), 1)
                + m.firstExecutorFailure().map(e -> ",\"first_executor_failure\":" + string(e.toString())).orElse("")
                + w.firstFailure().map(e -> ",\"first_failure\":" + string(e.toString())).orElse("")
                + "}";
    }

    private String cpuJson(LifecycleFigures.Measured m) {
        PhaseResult w = m.window();
        return "{\"seconds\":" + number(m.bbsCpuSeconds(), 2)
                + ",\"cores\":" + number(w.coresBusy(m.bbsCpuSeconds()), 2)
                + ",\"percent_of_machine\":" + number(100 * w.coresBusy(m.bbsCpuSeconds())
                        / machine.cores(), 1)
                + ",\"ms_per_lifecycle\":" + number(w.cpuMillisPerOperation(m.bbsCpuSeconds()), 3) + "}";
    }

    private static String perSecond(Optional<LifecycleFigures.Measured> figures) {
        return figures.map(m -> number(m.window().perSecond(), 1)).orElse("null");
    }

    private static String percentiles(LatencySamples.Percentiles latency) {
        return "{\"p50\":" + number(latency.millis(50), 2) + ",\"p90\":" + number(latency.millis(90), 2)
                + ",\"p99\":" + number(latency.millis(99), 2) + "}";
    }

    /** "n/a" for what was not measured, such as the heap of a BBS whose jcmd failed. */
    private static String cell(double value, int decimals) {
        return Double.isNaN(value) ? "n/a" : String.format(Locale.ROOT, "%." + decimals + "f", value);
    }
}
