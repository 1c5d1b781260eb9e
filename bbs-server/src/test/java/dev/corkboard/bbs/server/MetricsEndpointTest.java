package dev.corkboard.bbs.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The Prometheus and health endpoint, over real HTTP on a free loopback port. */
class MetricsEndpointTest {

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> send(int port, String method, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void metricsAreServedInThePrometheusTextFormat() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Counter.builder("corkboard.test.things").register(registry).increment(3);
        try (MetricsEndpoint endpoint = MetricsEndpoint.start(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), registry, () -> true)) {
            HttpResponse<String> response = send(endpoint.port(), "GET", "/metrics");
            assertEquals(200, response.statusCode());
            assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
            assertTrue(response.body().contains("corkboard_test_things_total 3.0"), response.body());
        }
    }

    @Test
    void theProcessesOwnMetersAreServedBesideTheDaemons() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (MetricsEndpoint endpoint = MetricsEndpoint.start(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), registry, () -> true)) {
            String body = send(endpoint.port(), "GET", "/metrics").body();
            for (String meter : List.of("jvm_memory_used_bytes{", "process_cpu_usage", "jvm_threads_live_threads",
                    "jvm_classes_loaded_classes", "jvm_gc_")) {
                assertTrue(body.contains(meter), meter + " missing from:\n" + body);
            }
        }
    }

    @Test
    void healthzFollowsTheSupplierAndOtherMethodsAreRefused() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        AtomicBoolean healthy = new AtomicBoolean(false);
        try (MetricsEndpoint endpoint = MetricsEndpoint.start(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), registry, healthy::get)) {
            assertEquals(503, send(endpoint.port(), "GET", "/healthz").statusCode());
            healthy.set(true);
            HttpResponse<String> ok = send(endpoint.port(), "GET", "/healthz");
            assertEquals(200, ok.statusCode());
            assertEquals("ok\n", ok.body());
            assertEquals(405, send(endpoint.port(), "POST", "/metrics").statusCode());
        }
    }
}
