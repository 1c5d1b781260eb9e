package dev.corkboard.bench;

import static dev.corkboard.bench.Json.number;
import static dev.corkboard.bench.Json.string;

import java.io.PrintStream;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/** The executor benchmark's figures, as a table for people or one JSON object for scripts. */
record ExecutorReport(List<RuntimeFigures> runtimes, Settings settings, String etcdVersion, String javaVersion,
        int cores, Instant date, MachineLoad loadAtStart, MachineLoad loadAtEnd) {

    /** What was asked for, echoed so a result says what it measured. */
    record Settings(int tasks, int warmup, int inFlight, int containers, String command) {}

    void printTable(PrintStream out) {
        out.printf(Locale.ROOT, "Corkboard executor benchmark, %s%n", date);
        out.printf(Locale.ROOT, "etcd %s (one member on loopback), Java %s, %d cores; one BBS replica and, per"
                + " runtime, one fresh executor agent with %d containers, all in this JVM%n", etcdVersion,
                javaVersion, cores, settings.containers());
        out.printf(Locale.ROOT, "per runtime: %d warm-up tasks not counted, then %d measured, %d desired but not"
                + " completed at a time, each running %s%n", settings.warmup(), settings.tasks(),
                settings.inFlight(), settings.command());
        out.println("claim->start: the agent's own timer, from a claim reaching the agent to the process running;"
                + " p50/p99 are its bucketed estimate over the last 40-60 s (warm-up tasks included), the mean is"
                + " over the measured tasks alone");
        out.println("desire->completed: this process's clock, from the desire call to the completion arriving on"
                + " the task watch; tasks/s = measured completions / (first desire .. last completion)");
        out.println();
        out.printf(Locale.ROOT, "  %-8s %8s  %23s  %26s  %6s%n", "runtime", "tasks/s", "claim->start ms",
                "desire->completed ms", "failed");
        out.printf(Locale.ROOT, "  %-8s %8s  %7s %7s %7s  %8s %8s %8s  %6s%n", "", "", "p50", "p99", "mean", "p50",
                "p90", "p99", "");
        for (RuntimeFigures figures : runtimes) {
            if (figures instanceof RuntimeFigures.Measured m) {
                LatencySamples.Percentiles latency = m.measured().desireToCompleted();
                out.printf(Locale.ROOT, "  %-8s %8s  %7s %7s %7s  %8s %8s %8s  %6d%n", m.runtime(),
                        cell(m.measured().perSecond(), 1), cell(m.claimToStart().p50Millis(), 2),
                        cell(m.claimToStart().p99Millis(), 2), cell(m.claimToStartMeanMillis(), 2),
                        cell(latency.millis(50), 2), cell(latency.millis(90), 2), cell(latency.millis(99), 2),
                        m.measured().failed());
            } else if (figures instanceof RuntimeFigures.Skipped s) {
                out.printf(Locale.ROOT, "  %-8s not measured: %s%n", s.runtime(), s.reason());
            }
        }
        out.println();
        for (RuntimeFigures figures : runtimes) {
            if (figures instanceof RuntimeFigures.Measured m) {
                printNotes(out, m);
            }
        }
        out.printf(Locale.ROOT, "  machine: load average (1 min) %.2f at start, %.2f at end; other JVMs running: %d"
                + " at start, %d at end%n", loadAtStart.loadAverage(), loadAtEnd.loadAverage(),
                loadAtStart.otherJvms(), loadAtEnd.otherJvms());
    }

    /** "n/a" for what was not measured, such as latencies when every task failed. */
    private static String cell(double value, int decimals) {
        return Double.isNaN(value) || Double.isInfinite(value) ? "n/a"
                : String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    private static void printNotes(PrintStream out, RuntimeFigures.Measured m) {
        TaskBatch.Outcome measured = m.measured();
        out.printf(Locale.ROOT, "  %s: %d completed in %.2f s; %d failed, %d failed in the warm-up; %d resolve"
                + " errors%n", m.runtime(), measured.completed(), measured.wallSeconds(), measured.failed(),
                m.warmupFailed(), measured.resolveErrors());
        measured.firstFailure().ifPresent(reason -> out.printf("    first failure: %s%n", reason));
        measured.firstResolveError().ifPresent(reason -> out.printf("    first resolve error: %s%n", reason));
    }

    String toJson() {
        StringBuilder json = new StringBuilder("{\"runtimes\":{");
        for (int i = 0; i < runtimes.size(); i++) {
            RuntimeFigures figures = runtimes.get(i);
            json.append(i == 0 ? "" : ",").append(string(figures.runtime())).append(':');
            if (figures instanceof RuntimeFigures.Measured m) {
                json.append(measuredJson(m));
            } else if (figures instanceof RuntimeFigures.Skipped s) {
                json.append("{\"skipped\":").append(string(s.reason())).append('}');
            }
        }
        return json.append('}')
                .append(",\"tasks\":").append(settings.tasks())
                .append(",\"warmup\":").append(settings.warmup())
                .append(",\"in_flight\":").append(settings.inFlight())
                .append(",\"containers\":").append(settings.containers())
                .append(",\"command\":").append(string(settings.command()))
                .append(",\"etcd_version\":").append(string(etcdVersion))
                .append(",\"java_version\":").append(string(javaVersion))
                .append(",\"cores\":").append(cores)
                .append(",\"date\":").append(string(date.toString()))
                .append(",\"load_average_1m\":{\"start\":").append(number(loadAtStart.loadAverage(), 2))
                .append(",\"end\":").append(number(loadAtEnd.loadAverage(), 2)).append('}')
                .append(",\"other_jvms\":{\"start\":").append(loadAtStart.otherJvms())
                .append(",\"end\":").append(loadAtEnd.otherJvms()).append('}')
                .append('}')
                .toString();
    }

    private static String measuredJson(RuntimeFigures.Measured m) {
        TaskBatch.Outcome measured = m.measured();
        LatencySamples.Percentiles latency = measured.desireToCompleted();
        return "{\"tasks_per_s\":" + number(measured.perSecond(), 1)
                + ",\"claim_to_start_ms\":{\"p50\":" + number(m.claimToStart().p50Millis(), 2)
                + ",\"p99\":" + number(m.claimToStart().p99Millis(), 2)
                + ",\"mean_measured\":" + number(m.claimToStartMeanMillis(), 2) + "}"
                + ",\"desire_to_completed_ms\":{\"p50\":" + number(latency.millis(50), 2)
                + ",\"p90\":" + number(latency.millis(90), 2)
                + ",\"p99\":" + number(latency.millis(99), 2) + "}"
                + ",\"completed\":" + measured.completed()
                + ",\"failed\":" + measured.failed()
                + ",\"warmup_failed\":" + m.warmupFailed()
                + ",\"resolve_errors\":" + measured.resolveErrors()
                + ",\"wall_s\":" + number(measured.wallSeconds(), 2)
                + measured.firstFailure().map(reason -> ",\"first_failure\":" + string(reason)).orElse("")
                + "}";
    }
}
