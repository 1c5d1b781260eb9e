package dev.corkboard.converger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corkboard.bbs.config.HostPort;
import dev.corkboard.bbs.config.InvalidConfigException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Reading ConvergerConfig: defaults, flags over environment over file, and validation messages. */
class ConvergerConfigTest {

    @TempDir
    Path dir;

    private static ConvergerConfig parse(Map<String, String> env, String... args) {
        return ConvergerConfig.parse(args, env);
    }

    private static List<String> problems(String... args) {
        return assertThrows(InvalidConfigException.class, () -> ConvergerConfig.parse(args, Map.of())).problems();
    }

    private Path file(String... lines) throws IOException {
        Path path = dir.resolve("converger.properties");
        Files.write(path, List.of(lines));
        return path;
    }

    @Test
    void withNothingGivenEverySettingHasItsDocumentedDefault() {
        ConvergerConfig config = parse(Map.of());
        assertEquals(ConvergerConfig.defaultId(), config.convergerId());
        assertTrue(config.convergerId().endsWith("-" + ProcessHandle.current().pid()), config.convergerId());
        assertEquals(List.of(URI.create("http://127.0.0.1:2379")), config.etcdEndpoints());
        assertEquals("/corkboard/v1", config.etcdPrefix());
        assertEquals(Duration.ofSeconds(5), config.requestTimeout());
        assertEquals(Optional.of(new HostPort("0.0.0.0", 8689)), config.metricsListen());
        assertEquals(ConvergerSettings.defaults(), config.settings());
    }

    @Test
    void aFlagWinsOverTheEnvironmentWhichWinsOverTheFileWhichWinsOverTheDefault() throws IOException {
        Path file = file("converger-id=from-file", "interval=7s", "kick=8s", "page-size=100");
        Map<String, String> env = Map.of("CORKBOARD_CONVERGER_ID", "from-env", "CORKBOARD_KICK", "9s",
                "CORKBOARD_LEASE_TTL", "4s");

        ConvergerConfig config = parse(env, "--config", file.toString(), "--converger-id", "from-flag");

        assertEquals("from-flag", config.convergerId(), "flag over environment and file");
        assertEquals(Duration.ofSeconds(9), config.settings().kick(), "environment over file");
        assertEquals(Duration.ofSeconds(7), config.settings().interval(), "file over default");
        assertEquals(100, config.settings().pageSize());
        assertEquals(Duration.ofSeconds(4), config.settings().leaseTtl());
        assertEquals(Duration.ofSeconds(30), config.settings().claimTimeout(), "default when nothing sets it");
    }

    @Test
    void everyConvergerSettingIsReadFromItsEnvironmentVariable() {
        Map<String, String> env = Map.of("CORKBOARD_INTERVAL", "1s", "CORKBOARD_KICK", "2s",
                "CORKBOARD_CLAIM_TIMEOUT", "3s", "CORKBOARD_PENDING_EXPIRY", "4m", "CORKBOARD_COMPLETED_EXPIRY", "5m",
                "CORKBOARD_LEASE_TTL", "6s", "CORKBOARD_PAGE_SIZE", "7", "CORKBOARD_MAX_WRITES_IN_FLIGHT", "8",
                "CORKBOARD_METRICS_LISTEN", "off", "CORKBOARD_REQUEST_TIMEOUT", "900ms");

        ConvergerConfig config = parse(env);

        assertEquals(new ConvergerSettings(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(3),
                Duration.ofMinutes(4), Duration.ofMinutes(5), Duration.ofSeconds(6), 7, 8), config.settings());
        assertEquals(Optional.empty(), config.metricsListen());
        assertEquals(Duration.ofMillis(900), config.requestTimeout());
        assertEquals("/corkboard/v1", config.storeSettings().prefix());
        assertEquals(Duration.ofMillis(900), config.storeSettings().requestTimeout());
    }

    @Test
    void everyBadValueIsReportedAtOnceNamingTheSettingAndWhatItAccepts() {
        List<String> problems = problems("--interval", "soon", "--lease-ttl", "1500ms", "--page-size", "0",
                "--max-writes-in-flight", "2000", "--metrics-listen", "nowhere", "--etcd-prefix", "corkboard/",
                "--converger-id", "two words");

        assertEquals(List.of(
                "--converger-id: expected a name of at most 253 characters without spaces, got 'two words'",
                "--etcd-prefix: expected a key prefix that starts and does not end with '/', such as /corkboard/v1,"
                        + " got 'corkboard/'",
                "--metrics-listen: expected host:port or 'off', got 'nowhere'",
                "--interval: expected a positive duration such as 500ms, 5s, 2m, 1h or PT5S, got 'soon'",
                "--lease-ttl: expected whole seconds (etcd leases count seconds) such as 15s, got '1500ms'",
                "--page-size: expected an integer from 1 to 10000, got '0'",
                "--max-writes-in-flight: expected an integer from 1 to 1024, got '2000'"), problems);
    }

    @Test
    void aKickAsLongAsThePendingExpiryIsRefusedBecausePendingTasksWouldNeverBeReannounced() {
        assertEquals(List.of("--kick: expected less than --pending-expiry (5m) or pending tasks are never"
                + " re-announced, got '5m'"), problems("--kick", "5m", "--pending-expiry", "5m",
                "--completed-expiry", "10m"));
    }

    @Test
    void aKickAsLongAsTheCompletedExpiryIsRefusedBecauseCompletionsWouldBeDeletedBeforeTheirReminder() {
        assertEquals(List.of("--kick: expected less than --completed-expiry (2m) or completed tasks are deleted"
                + " before they are re-notified, got '2m'"), problems("--kick", "2m"));
    }

    @Test
    void aBadExpiryIsReportedOnceUnderItsOwnNameNotAsAKickConflict() {
        assertEquals(List.of("--pending-expiry: expected a positive duration such as 500ms, 5s, 2m, 1h or PT5S,"
                + " got 'never'"), problems("--pending-expiry", "never"));
    }

    @Test
    void aKickJustUnderBothExpiriesAndAClaimTimeoutBeyondThePendingExpiryAreAccepted() {
        ConvergerSettings settings = parse(Map.of(), "--kick", "119999ms", "--completed-expiry", "2m",
                "--pending-expiry", "2m", "--claim-timeout", "1h", "--interval", "1h").settings();

        assertEquals(Duration.ofMillis(119_999), settings.kick());
        assertEquals(Duration.ofHours(1), settings.claimTimeout());
    }

    @Test
    void aMisspeltFileKeyIsRefusedRatherThanIgnored() throws IOException {
        Path file = file("kik=10s");
        List<String> problems = assertThrows(InvalidConfigException.class,
                () -> parse(Map.of(), "--config", file.toString())).problems();
        assertEquals(1, problems.size());
        assertTrue(problems.get(0).contains("unknown key 'kik'"), problems.get(0));
        assertTrue(problems.get(0).contains("kick"), problems.get(0));
    }

    @Test
    void anUnknownFlagIsAParameterError() {
        assertThrows(CommandLine.ParameterException.class, () -> parse(Map.of(), "--kick-interval", "5s"));
    }

    @Test
    void mainExitsWithTwoAndNamesTheSettingWhenTheConfigurationIsInvalid() {
        StringWriter err = new StringWriter();
        int code = ConvergerMain.run(new String[] {"--lease-ttl", "0s"}, Map.of(), new PrintWriter(new StringWriter()),
                new PrintWriter(err, true));
        assertEquals(2, code);
        assertTrue(err.toString().contains("--lease-ttl: expected a positive duration"), err.toString());
    }

    @Test
    void helpListsEverySettingWithItsDefault() {
        StringWriter out = new StringWriter();
        assertEquals(0, ConvergerMain.run(new String[] {"--help"}, Map.of(), new PrintWriter(out, true),
                new PrintWriter(new StringWriter())));
        for (String expected : List.of("--converger-id", "--etcd-endpoints", "--etcd-prefix", "--request-timeout",
                "--metrics-listen", "8689", "--interval", "--kick", "--claim-timeout",
                "--pending-expiry", "Default: 30m", "--completed-expiry", "Default: 2m", "--lease-ttl", "Default: 15s",
                "--page-size", "Default: 5000", "--max-writes-in-flight", "Default: 32")) {
            assertTrue(out.toString().contains(expected), expected + " in\n" + out);
        }
    }
}
