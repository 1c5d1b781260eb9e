package dev.corkboard.bbs.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corkboard.bbs.config.HostPort;
import dev.corkboard.bbs.config.InvalidConfigException;
import dev.corkboard.bbs.store.EtcdTransport;
import dev.corkboard.bbs.store.StoreSettings;
import java.io.IOException;
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

/** Reading BbsConfig: defaults, the precedence of flags over environment over file, and validation messages. */
class BbsConfigTest {

    @TempDir
    Path dir;

    private static BbsConfig parse(Map<String, String> env, String... args) {
        return BbsConfig.parse(args, env);
    }

    private static List<String> problems(Map<String, String> env, String... args) {
        return assertThrows(InvalidConfigException.class, () -> BbsConfig.parse(args, env)).problems();
    }

    private Path file(String... lines) throws IOException {
        Path path = dir.resolve("bbs.properties");
        Files.write(path, List.of(lines));
        return path;
    }

    @Test
    void withNothingGivenEverySettingHasItsDocumentedDefault() {
        BbsConfig config = parse(Map.of());
        assertEquals(new HostPort("0.0.0.0", 8686), config.listen());
        assertEquals(List.of(URI.create("http://127.0.0.1:2379")), config.etcdEndpoints());
        assertEquals("/corkboard/v1", config.etcdPrefix());
        assertEquals(Duration.ofSeconds(5), config.requestTimeout());
        assertEquals(Optional.of(new HostPort("0.0.0.0", 8687)), config.metricsListen());
        assertEquals(1024 * 1024, config.maxInboundMessageBytes());
        assertEquals(1000, config.maxWatchSubscribers());
        assertEquals(1024, config.watchBuffer());
        assertEquals(Duration.ofSeconds(10), config.shutdownGrace());
        assertEquals(Optional.empty(), config.tls());
    }

    @Test
    void aFlagWinsOverTheEnvironmentWhichWinsOverTheFileWhichWinsOverTheDefault() throws IOException {
        Path file = file("listen=127.0.0.1:1001", "etcd-prefix=/from-file", "request-timeout=7s",
                "max-watch-subscribers=9");
        Map<String, String> env = Map.of("CORKBOARD_LISTEN", "127.0.0.1:1002", "CORKBOARD_ETCD_PREFIX", "/from-env");

        BbsConfig config = parse(env, "--config", file.toString(), "--listen", "127.0.0.1:1003");

        assertEquals(new HostPort("127.0.0.1", 1003), config.listen(), "flag over environment and file");
        assertEquals("/from-env", config.etcdPrefix(), "environment over file");
        assertEquals(Duration.ofSeconds(7), config.requestTimeout(), "file over default");
        assertEquals(9, config.maxWatchSubscribers());
        assertEquals(Duration.ofSeconds(10), config.shutdownGrace(), "default when nothing sets it");
    }

    @Test
    void theConfigFileCanBeNamedByTheEnvironmentAndWithAnEqualsSign() throws IOException {
        Path file = file("etcd-endpoints=http://10.0.0.1:2379, http://10.0.0.2:2379");
        List<URI> expected = List.of(URI.create("http://10.0.0.1:2379"), URI.create("http://10.0.0.2:2379"));

        assertEquals(expected, parse(Map.of("CORKBOARD_CONFIG", file.toString())).etcdEndpoints());
        assertEquals(expected, parse(Map.of(), "--config=" + file).etcdEndpoints());
    }

    @Test
    void multiWordOptionsReadTheirUnderscoredVariable() {
        BbsConfig config = parse(Map.of("CORKBOARD_MAX_INBOUND_MESSAGE_SIZE", "512KiB",
                "CORKBOARD_SHUTDOWN_GRACE_PERIOD", "1500ms", "CORKBOARD_METRICS_LISTEN", "off"));
        assertEquals(512 * 1024, config.maxInboundMessageBytes());
        assertEquals(Duration.ofMillis(1500), config.shutdownGrace());
        assertEquals(Optional.empty(), config.metricsListen());
    }

    @Test
    void aBadListenAddressIsNamedWithWhatItAccepts() {
        assertEquals(List.of("--listen: expected host:port, got 'abc'"), problems(Map.of(), "--listen", "abc"));
    }

    @Test
    void everyBadSettingIsReportedAtOnce() {
        List<String> problems = problems(Map.of(), "--etcd-endpoints", "localhost:2379", "--etcd-prefix", "nope/",
                "--request-timeout", "-1s", "--metrics-listen", "x:99999", "--max-inbound-message-size", "12",
                "--max-watch-subscribers", "lots", "--shutdown-grace-period", "soon");
        assertEquals(7, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("--etcd-endpoints: expected comma-separated URLs"), problems.get(0));
        assertTrue(problems.get(1).startsWith("--etcd-prefix: expected a key prefix"), problems.get(1));
        assertTrue(problems.get(2).startsWith("--request-timeout: expected a positive duration"), problems.get(2));
        assertEquals("--metrics-listen: expected host:port or 'off', got 'x:99999'", problems.get(3));
        assertEquals("--max-inbound-message-size: expected an integer from 65536 to 67108864, got '12'",
                problems.get(4));
        assertEquals("--max-watch-subscribers: expected an integer from 1 to 1000000, got 'lots'", problems.get(5));
        assertTrue(problems.get(6).startsWith("--shutdown-grace-period: expected a positive duration"));
    }

    @Test
    void aBadValueFromTheEnvironmentIsNamedByItsSetting() {
        assertEquals(List.of("--request-timeout: expected a positive duration such as 500ms, 5s, 2m, 1h or PT5S,"
                + " got 'forever'"), problems(Map.of("CORKBOARD_REQUEST_TIMEOUT", "forever")));
    }

    @Test
    void aMisspeltKeyInTheFileIsRefusedNamingTheKnownOnes() throws IOException {
        Path file = file("etcd-endpoint=http://10.0.0.1:2379");
        String problem = problems(Map.of(), "--config", file.toString()).get(0);
        assertTrue(problem.contains("unknown key 'etcd-endpoint'") && problem.contains("etcd-endpoints"), problem);
    }

    @Test
    void aMissingConfigFileIsNamed() {
        String problem = problems(Map.of(), "--config", dir.resolve("absent.properties").toString()).get(0);
        assertTrue(problem.startsWith("--config: expected a readable properties file"), problem);
    }

    @Test
    void tlsNeedsACertificateAndAKeyTogetherAndMutualTlsNeedsBoth() throws IOException {
        Path cert = Files.writeString(dir.resolve("server.pem"), "cert");
        Path key = Files.writeString(dir.resolve("server.key"), "key");
        Path ca = Files.writeString(dir.resolve("ca.pem"), "ca");

        assertEquals(List.of("--tls-key: expected --tls-cert and --tls-key together, got only --tls-cert"),
                problems(Map.of(), "--tls-cert", cert.toString()));
        assertEquals(List.of("--tls-client-ca: expected together with --tls-cert and --tls-key (mutual TLS needs"
                + " server TLS)"), problems(Map.of(), "--tls-client-ca", ca.toString()));
        assertEquals(Optional.of(new BbsConfig.Tls(cert, key, Optional.of(ca))), parse(Map.of(), "--tls-cert",
                cert.toString(), "--tls-key", key.toString(), "--tls-client-ca", ca.toString()).tls());
    }

    @Test
    void aTlsFileThatDoesNotExistIsNamed() {
        assertEquals("--tls-cert: expected a readable file, got '/no/such.pem' which does not exist",
                problems(Map.of(), "--tls-cert", "/no/such.pem", "--tls-key", "/no/such.key").get(0));
    }

    @Test
    void anUnknownFlagIsRefusedByTheParser() {
        assertThrows(CommandLine.UnmatchedArgumentException.class, () -> parse(Map.of(), "--lisen", "x:1"));
    }

    @Test
    void transitionBatchingAndTheEtcdTransportComeFromFlagsOrTheEnvironmentAndReachTheStoreSettings() {
        BbsConfig defaults = parse(Map.of());
        assertEquals(EtcdTransport.GRPC, defaults.etcdTransport());
        assertEquals(StoreSettings.DEFAULT_TRANSITION_BATCH, defaults.storeSettings().transitionBatch());
        assertEquals(StoreSettings.DEFAULT_BATCHES_IN_FLIGHT, defaults.storeSettings().batchesInFlight());

        BbsConfig config = parse(Map.of("CORKBOARD_TRANSITION_BATCH", "24", "CORKBOARD_ETCD_TRANSPORT", "vertx"),
                "--transition-batches-in-flight", "6", "--etcd-prefix", "/p");

        assertEquals(EtcdTransport.VERTX, config.etcdTransport());
        StoreSettings store = config.storeSettings();
        assertEquals(24, store.transitionBatch());
        assertEquals(6, store.batchesInFlight());
        assertEquals("/p", store.prefix());
    }

    @Test
    void anUnknownTransportAndAnImpossibleBatchAreNamed() {
        assertEquals(List.of("--etcd-transport: expected one of grpc, vertx, got 'carrier-pigeon'",
                "--transition-batch: expected an integer from 1 to 128, got '0'"),
                problems(Map.of(), "--etcd-transport", "carrier-pigeon", "--transition-batch", "0"));
    }
}
