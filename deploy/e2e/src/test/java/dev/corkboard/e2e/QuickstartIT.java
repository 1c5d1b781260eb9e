package dev.corkboard.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The first thing a newcomer runs: {@code deploy/quickstart.sh} brings up the default local cluster, runs a demo task
 * in the sandbox and prints its result and logs. Run again, it finds the cluster up and does the same.
 */
class QuickstartIT {

    private static final Duration QUICKSTART_TIMEOUT = Duration.ofMinutes(3);

    @RegisterExtension
    static final LocalClusterExtension local = LocalClusterExtension.broughtUpByTheTest();

    @Test
    void quickstartRunsTheDemoTaskAndRunsAgainOnTheClusterItLeftUp() {
        assertDemoRan(quickstart(1));
        Map<String, Long> pids = pids(local.cluster().status());

        assertDemoRan(quickstart(2));
        ClusterStatus status = local.cluster().status();
        assertTrue(status.processes().stream().allMatch(member -> member.health().equals("up")),
                () -> "every member is up after two quickstarts: " + status);
        assertEquals(pids, pids(status), "the second quickstart reuses the members the first started");
    }

    private static Map<String, Long> pids(ClusterStatus status) {
        return status.processes().stream().collect(Collectors.toMap(ClusterStatus.Member::name,
                ClusterStatus.Member::pid));
    }

    /** The demo task writes 42 to its result file and logs a greeting; the quickstart prints both. */
    private static void assertDemoRan(String output) {
        assertTrue(Pattern.compile("(?m)^result:\\R42$").matcher(output).find(),
                () -> "the demo task's result in:\n" + output);
        assertTrue(Pattern.compile("(?m) stdout hello from Corkboard$").matcher(output).find(),
                () -> "the demo task's log line in:\n" + output);
    }

    /** Runs the quickstart with the test's cluster directory; fails with its output unless it exits 0. */
    private static String quickstart(int run) {
        return Script.run(List.of("deploy/quickstart.sh"),
                Map.of("CORKBOARD_LOCAL_DIR", local.cluster().dir().toString()),
                local.cluster().outputs().resolve("quickstart-" + run + ".out"), QUICKSTART_TIMEOUT);
    }
}
