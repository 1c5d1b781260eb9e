package dev.corkboard.stager;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.NameResolverRegistry;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Opens gRPC channels to a set of BBS replicas. Calls are spread round-robin over the replicas that answer; a replica
 * that goes away is skipped until it is back, and a call that fails with UNAVAILABLE before a replica took it is
 * retried (up to {@value #MAX_ATTEMPTS} attempts, with backoff) on another. Every Corkboard call is safe to repeat
 * by the same caller, which is what makes the retry sound.
 */
public final class BbsChannel {

    static final int MAX_ATTEMPTS = 4;
    static final int MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

    private BbsChannel() {}

    /** A channel to the given replicas, in plaintext or over TLS. Close it with {@code shutdown()}. */
    public static ManagedChannel open(BbsEndpoints endpoints, Optional<ClientTls> tls) {
        NameResolverRegistry registry = new NameResolverRegistry();
        registry.register(new EndpointsResolver(endpoints));
        ChannelCredentials credentials = tls.map(ClientTls::credentials).orElseGet(InsecureChannelCredentials::create);
        return Grpc.newChannelBuilder(EndpointsResolver.SCHEME + ":///bbs", credentials, registry)
                .defaultServiceConfig(serviceConfig())
                .enableRetry()
                .keepAliveTime(30, TimeUnit.SECONDS)
                .keepAliveTimeout(10, TimeUnit.SECONDS)
                .maxInboundMessageSize(MAX_MESSAGE_BYTES)
                .build();
    }

    /** round_robin over every replica, and transparent retries of UNAVAILABLE (numbers must be doubles here). */
    private static Map<String, Object> serviceConfig() {
        Map<String, Object> retry = Map.of(
                "maxAttempts", (double) MAX_ATTEMPTS,
                "initialBackoff", "0.1s",
                "maxBackoff", "2s",
                "backoffMultiplier", 2.0,
                "retryableStatusCodes", List.of("UNAVAILABLE"));
        Map<String, Object> methods = Map.of(
                "name", List.of(Map.of("service", "corkboard.v1.TaskService"),
                        Map.of("service", "corkboard.v1.ClusterService"),
                        Map.of("service", "corkboard.v1.ExecutorService")),
                "retryPolicy", retry);
        return Map.of(
                "loadBalancingConfig", List.of(Map.of("round_robin", Map.of())),
                "methodConfig", List.of(methods));
    }
}
