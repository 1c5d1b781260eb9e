package dev.corkboard.bbs.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small HTTP endpoint beside a Corkboard daemon: {@code GET /metrics} serves the registry in the Prometheus text
 * format, {@code GET /healthz} answers 200 {@code ok} while {@code healthy} says so and 503 otherwise. Served by the
 * JDK's HTTP server on one thread of its own, so a slow scraper never takes a thread from the daemon's real work.
 *
 * <p>Starting it also binds the process's own meters to the registry (JVM memory, garbage collection, threads, class
 * loading, process and system CPU), so every daemon that serves metrics shows how its JVM fares beside its own
 * figures; closing it stops the garbage collection listener.
 *
 * <pre>{@code
 * try (MetricsEndpoint endpoint = MetricsEndpoint.start(new InetSocketAddress(8687), registry, () -> leader.isUp())) {
 *     ...
 * }
 * }</pre>
 */
public final class MetricsEndpoint implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MetricsEndpoint.class);
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer server;
    private final ExecutorService executor;
    private final JvmGcMetrics gcMetrics;

    private MetricsEndpoint(HttpServer server, ExecutorService executor, JvmGcMetrics gcMetrics) {
        this.server = server;
        this.executor = executor;
        this.gcMetrics = gcMetrics;
    }

    /**
     * Binds {@code address} (port 0: any free port) and starts serving.
     *
     * @throws IOException when the address cannot be bound
     */
    public static MetricsEndpoint start(InetSocketAddress address, PrometheusMeterRegistry registry,
            BooleanSupplier healthy) throws IOException {
        HttpServer server = HttpServer.create(address, 16);
        ExecutorService executor = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "corkboard-metrics-http");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext("/metrics", exchange -> serve(exchange, () -> new Reply(200, PROMETHEUS_TEXT,
                registry.scrape())));
        server.createContext("/healthz", exchange -> serve(exchange, () -> healthy.getAsBoolean()
                ? new Reply(200, "text/plain; charset=utf-8", "ok\n")
                : new Reply(503, "text/plain; charset=utf-8", "not serving\n")));
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        JvmGcMetrics gcMetrics = new JvmGcMetrics();
        gcMetrics.bindTo(registry);
        server.start();
        return new MetricsEndpoint(server, executor, gcMetrics);
    }

    /** The port the endpoint is bound to. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** Stops serving at once; a scrape in progress is cut short. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        gcMetrics.close();
    }

    private record Reply(int status, String contentType, String body) {}

    private interface ReplySource {
        Reply get();
    }

    private static void serve(HttpExchange exchange, ReplySource source) throws IOException {
        try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            Reply reply;
            try {
                reply = source.get();
            } catch (RuntimeException e) {
                log.warn("metrics endpoint failed to answer {}", exchange.getRequestURI(), e);
                reply = new Reply(500, "text/plain; charset=utf-8", "error\n");
            }
            byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", reply.contentType());
            boolean head = "HEAD".equals(exchange.getRequestMethod());
            exchange.sendResponseHeaders(reply.status(), head ? -1 : body.length);
            if (!head) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }
}
