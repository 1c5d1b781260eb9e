package dev.corkboard.bench;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import picocli.CommandLine;

/**
 * The full benchmark with tiny phases, so the suite keeps it working: every figure a script reads is in its JSON and
 * sane. Nothing here is timed; the figures of so short a run mean nothing.
 */
class FullBenchmarkTest {

    @Test
    void aShortFullRunMeasuresEveryPhaseAndPrintsEveryFigure() {
        StringWriter out = new StringWriter();
        CommandLine command = new CommandLine(new FullBenchmark());
        command.setOut(new PrintWriter(out));

        int exit = command.execute("--json", "--duration=2", "--warmup=0", "--in-flight=16", "--executors=16",
                "--e2e-tasks=10", "--e2e-warmup=2");

        assertEquals(0, exit, "exit code; the output was: " + out);
        JsonObject report = JsonParser.parseString(out.toString()).getAsJsonObject();
        List<Executable> checks = new ArrayList<>();
        for (String field : List.of("etcd_cas_per_s", "lifecycle_ceiling_per_s", "lifecycles_per_s", "ratio",
                "lifecycles_per_s_unbatched", "claim_latency_ms.p50", "claim_latency_ms.p90", "claim_latency_ms.p99",
                "claim_rate_per_s", "e2e_tasks_per_s", "e2e_latency_ms.p50", "e2e_latency_ms.p99", "bbs_heap_mb",
                "bbs_heap_peak_mb", "bbs_cpu.seconds", "bbs_cpu.cores", "bbs_cpu.ms_per_lifecycle",
                "client_cpu_cores", "machine.cores")) {
            checks.add(() -> assertTrue(number(report, field) > 0, field + " = " + number(report, field)));
        }
        // every variant this BBS build has; null for those it lacks
        for (BbsVariant variant : BbsVariant.all(16)) {
            String field = "lifecycles_per_s_" + variant.name();
            checks.add(() -> assertEquals(variant.unsupported().isEmpty(), !at(report, field).isJsonNull(), field));
        }
        checks.add(() -> assertEquals(6, number(report, "lifecycle_writes")));
        for (String field : List.of("date", "commit", "machine.etcd_version", "machine.java_version")) {
            checks.add(() -> assertFalse(at(report, field).getAsString().isBlank(), field));
        }
        assertAll(checks);
    }

    private static double number(JsonObject report, String path) {
        JsonElement value = at(report, path);
        return value.isJsonNull() ? Double.NaN : value.getAsDouble();
    }

    /** The value at a dotted path; fails when a field on the way is missing. */
    private static JsonElement at(JsonObject report, String path) {
        JsonElement value = report;
        for (String field : path.split("\\.")) {
            assertTrue(value.isJsonObject() && value.getAsJsonObject().has(field), "no field " + path);
            value = value.getAsJsonObject().get(field);
        }
        return value;
    }
}
