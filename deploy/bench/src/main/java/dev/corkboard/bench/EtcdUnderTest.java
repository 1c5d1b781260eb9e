package dev.corkboard.bench;

import dev.corkboard.testkit.EtcdCluster;
import io.etcd.jetcd.Client;
import java.net.URI;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The etcd a benchmark runs against: one the benchmark starts on loopback through the testkit (and removes
 * afterwards), or one the caller names with endpoints (left as it was, apart from the run's own keys).
 */
final class EtcdUnderTest implements AutoCloseable {

    private final List<String> endpoints;
    private final Optional<EtcdCluster> started;

    private EtcdUnderTest(List<String> endpoints, Optional<EtcdCluster> started) {
        this.endpoints = List.copyOf(endpoints);
        this.started = started;
    }

    /** A one-member etcd of our own, so nothing else's load or data skews the figures. */
    static EtcdUnderTest startLocal() {
        EtcdCluster cluster = EtcdCluster.single();
        return new EtcdUnderTest(cluster.clientEndpoints(), Optional.of(cluster));
    }

    static EtcdUnderTest existing(List<String> endpoints) {
        return new EtcdUnderTest(endpoints, Optional.empty());
    }

    List<String> endpoints() {
        return endpoints;
    }

    /**
     * The key prefix of one benchmark run, {@code /corkboard-bench/<kind><UTC date>-<random>}, so runs against a
     * shared etcd never mix their keys and each can remove its own.
     */
    static String runPrefix(String kind, Instant date) {
        return "/corkboard-bench/" + kind + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC)
                .format(date) + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    boolean startedHere() {
        return started.isPresent();
    }

    /** The server version the first endpoint reports, or "unknown" when it does not say within 5 s. */
    String version(Client client) throws InterruptedException {
        String endpoint = endpoints.get(0);
        try {
            // jetcd dials this target on a channel of its own; grpc wants host:port rather than a URL
            String target = Optional.ofNullable(URI.create(endpoint).getAuthority()).orElse(endpoint);
            return client.getMaintenanceClient().statusMember(target).get(5, TimeUnit.SECONDS).getVersion();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            return "unknown";
        }
    }

    @Override
    public void close() {
        started.ifPresent(EtcdCluster::close);
    }
}
