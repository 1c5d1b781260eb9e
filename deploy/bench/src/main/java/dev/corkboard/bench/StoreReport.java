package dev.corkboard.bench;

import static dev.corkboard.bench.Json.number;
import static dev.corkboard.bench.Json.string;

import java.io.PrintStream;
import java.time.Instant;
import java.util.Locale;

/**
 * The store benchmark's figures, as an aligned table for people or one JSON object for scripts. The design's target
 * (DESIGN.md §7) is a ratio of at least 0.60: lifecycles per second against the etcd ceiling measured in the same
 * run, CAS transactions per second divided by the writes a lifecycle needs.
 */
record StoreReport(PhaseResult cas, PhaseResult lifecycles, long storeConflicts, int concurrency, int warmupSeconds,
        int durationSeconds, String etcdVersion, String etcdWhere, String javaVersion, int cores, Instant date,
        double loadAtStart, double loadAtEnd) {

    static final double TARGET_RATIO = 0.60;

    double ceilingPerSecond() {
        return cas.perSecond() / FullLifecycle.WRITES;
    }

    double ratio() {
        return lifecycles.perSecond() / ceilingPerSecond();
    }

    long failedOperations() {
        return cas.failed() + lifecycles.failed();
    }

    void printTable(PrintStream out) {
        out.printf(Locale.ROOT, "Corkboard store benchmark, %s%n", date);
        out.printf(Locale.ROOT, "etcd %s (%s), Java %s, %d cores%n", etcdVersion, etcdWhere, javaVersion, cores);
        out.printf(Locale.ROOT, "%d in flight; per phase %d s measured after a warm-up of at least %d s%n",
                concurrency, durationSeconds, warmupSeconds);
        out.printf(Locale.ROOT, "(warm-ups lasted %.1f s for CAS, %.1f s for lifecycles: longer while the JIT was"
                + " busy)%n%n", cas.warmupSeconds(), lifecycles.warmupSeconds());
        out.printf(Locale.ROOT, "  %-26s %10.1f   p50 %7.2f ms   p99 %7.2f ms%n", "etcd CAS transactions/s",
                cas.perSecond(), cas.latency().millis(50), cas.latency().millis(99));
        out.printf(Locale.ROOT, "  %-26s %10d%n", "writes per lifecycle", FullLifecycle.WRITES);
        out.printf(Locale.ROOT, "  %-26s %10.1f   (CAS/s / %d)%n", "lifecycle ceiling/s", ceilingPerSecond(),
                FullLifecycle.WRITES);
        out.printf(Locale.ROOT, "  %-26s %10.1f   p50 %7.2f ms   p99 %7.2f ms%n", "lifecycles/s",
                lifecycles.perSecond(), lifecycles.latency().millis(50), lifecycles.latency().millis(99));
        out.printf(Locale.ROOT, "  %-26s %10.3f   (target >= %.2f)%n", "ratio", ratio(), TARGET_RATIO);
        out.printf(Locale.ROOT, "%n  counted: %d CAS, %d lifecycles; lost CAS %d, failed operations %d,"
                + " store CAS conflicts %d%n", cas.succeeded(), lifecycles.succeeded(), cas.lost(),
                failedOperations(), storeConflicts);
        printCpu(out);
    }

    /** Where the CPU went in each window; everything shares the same few cores, so this is where time goes too. */
    private void printCpu(PrintStream out) {
        out.printf(Locale.ROOT, "%n  %-26s %10s %10s%n", "CPU in the windows", "bench JVM", "etcd");
        out.printf(Locale.ROOT, "  %-26s %10s %10s%n", "per CAS, ms",
                decimals(cas.cpuMillisPerOperation(cas.cpu().benchSeconds()), 3),
                decimals(cas.cpuMillisPerOperation(cas.cpu().etcdSeconds()), 3));
        out.printf(Locale.ROOT, "  %-26s %10s %10s%n", "per lifecycle, ms",
                decimals(lifecycles.cpuMillisPerOperation(lifecycles.cpu().benchSeconds()), 3),
                decimals(lifecycles.cpuMillisPerOperation(lifecycles.cpu().etcdSeconds()), 3));
        out.printf(Locale.ROOT, "  %-26s %10s %10s   of %d%n", "cores busy, CAS phase",
                decimals(cas.coresBusy(cas.cpu().benchSeconds()), 2),
                decimals(cas.coresBusy(cas.cpu().etcdSeconds()), 2), cores);
        out.printf(Locale.ROOT, "  %-26s %10s %10s   of %d%n", "cores busy, lifecycles",
                decimals(lifecycles.coresBusy(lifecycles.cpu().benchSeconds()), 2),
                decimals(lifecycles.coresBusy(lifecycles.cpu().etcdSeconds()), 2), cores);
        out.printf(Locale.ROOT, "  JIT compiling inside the windows: %s s (CAS), %s s (lifecycles)%n",
                decimals(cas.cpu().jitSeconds(), 2), decimals(lifecycles.cpu().jitSeconds(), 2));
        out.printf(Locale.ROOT, "  machine load average (1 min): %s at start, %s at end%n", decimals(loadAtStart, 2),
                decimals(loadAtEnd, 2));
    }

    String toJson() {
        return new StringBuilder("{")
                .append("\"etcd_cas_per_s\":").append(number(cas.perSecond(), 1))
                .append(",\"lifecycle_writes\":").append(FullLifecycle.WRITES)
                .append(",\"lifecycles_per_s\":").append(number(lifecycles.perSecond(), 1))
                .append(",\"lifecycle_ceiling_per_s\":").append(number(ceilingPerSecond(), 1))
                .append(",\"ratio\":").append(number(ratio(), 3))
                .append(",\"lifecycle_latency_ms\":").append(percentiles(lifecycles.latency()))
                .append(",\"etcd_cas_latency_ms\":").append(percentiles(cas.latency()))
                .append(",\"concurrency\":").append(concurrency)
                .append(",\"duration_s\":").append(durationSeconds)
                .append(",\"warmup_s\":").append(warmupSeconds)
                .append(",\"warmup_s_actual\":{\"cas\":").append(number(cas.warmupSeconds(), 1))
                .append(",\"lifecycles\":").append(number(lifecycles.warmupSeconds(), 1)).append('}')
                .append(",\"etcd_cas_lost\":").append(cas.lost())
                .append(",\"failed_operations\":").append(failedOperations())
                .append(",\"store_conflicts\":").append(storeConflicts)
                .append(",\"cpu_ms_per_cas\":").append(cpuPerOperation(cas))
                .append(",\"cpu_ms_per_lifecycle\":").append(cpuPerOperation(lifecycles))
                .append(",\"jit_s_in_windows\":{\"cas\":").append(number(cas.cpu().jitSeconds(), 2))
                .append(",\"lifecycles\":").append(number(lifecycles.cpu().jitSeconds(), 2)).append('}')
                .append(",\"load_average_1m\":{\"start\":").append(number(loadAtStart, 2))
                .append(",\"end\":").append(number(loadAtEnd, 2)).append('}')
                .append(",\"etcd_version\":").append(string(etcdVersion))
                .append(",\"java_version\":").append(string(javaVersion))
                .append(",\"cores\":").append(cores)
                .append(",\"date\":").append(string(date.toString()))
                .append('}')
                .toString();
    }

    private static String percentiles(LatencySamples.Percentiles latency) {
        return "{\"p50\":" + number(latency.millis(50), 2) + ",\"p99\":" + number(latency.millis(99), 2) + "}";
    }

    private static String cpuPerOperation(PhaseResult phase) {
        return "{\"bench\":" + number(phase.cpuMillisPerOperation(phase.cpu().benchSeconds()), 3)
                + ",\"etcd\":" + number(phase.cpuMillisPerOperation(phase.cpu().etcdSeconds()), 3) + "}";
    }

    /** "n/a" for what could not be measured, such as the CPU of an etcd this process did not start. */
    private static String decimals(double value, int decimals) {
        return Double.isNaN(value) ? "n/a" : String.format(Locale.ROOT, "%." + decimals + "f", value);
    }
}
