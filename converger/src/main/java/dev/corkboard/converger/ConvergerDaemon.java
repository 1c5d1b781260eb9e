package dev.corkboard.converger;

import dev.corkboard.bbs.config.OpenedResources;
import dev.corkboard.bbs.config.ProcessMain;
import dev.corkboard.bbs.server.MetricsEndpoint;
import dev.corkboard.bbs.store.EtcdConnection;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One converger process's resources: the metrics endpoint, the etcd connection and the {@link Converger}, opened in
 * this order by {@link #start(ConvergerConfig)}. {@link #close()} first closes the converger, which resigns at once
 * (its lease is revoked, so another candidate leads without waiting out the TTL), then the metrics endpoint, then the
 * etcd connection.
 *
 * <p><b>etcd unreachable</b>: starting does not wait for etcd. The converger campaigns and retries until etcd answers;
 * a leader cut off from etcd stops leading once its lease's TTL passes (see {@link Leadership}). {@code /healthz}
 * answers 200 while the process runs, whether or not it leads: a follower is healthy.
 */
public final class ConvergerDaemon implements ProcessMain.Running {

    private static final Logger log = LoggerFactory.getLogger(ConvergerDaemon.class);

    private final ConvergerConfig config;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    /** What is open, most recent first: closing pops it. */
    private final OpenedResources opened = new OpenedResources();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private Optional<MetricsEndpoint> metrics = Optional.empty();
    private Converger converger;
    private volatile boolean closed;

    private ConvergerDaemon(ConvergerConfig config) {
        this.config = config;
    }

    /**
     * Opens everything and starts campaigning.
     *
     * @throws IOException when the metrics address cannot be bound; whatever was opened is closed
     */
    public static ConvergerDaemon start(ConvergerConfig config) throws IOException {
        ConvergerDaemon daemon = new ConvergerDaemon(config);
        try {
            daemon.open();
            return daemon;
        } catch (IOException | RuntimeException e) {
            daemon.close();
            throw e;
        }
    }

    private void open() throws IOException {
        if (config.metricsListen().isPresent()) {
            MetricsEndpoint endpoint = MetricsEndpoint.start(config.metricsListen().get().socketAddress(), registry,
                    () -> !closed);
            metrics = Optional.of(endpoint);
            opened.push(endpoint);
        }
        EtcdConnection etcd = EtcdConnection.open(config.etcdEndpoints(), "corkboard-etcd",
                config.etcdTransport(), config.etcdSecurity());
        opened.push(etcd);
        converger = new Converger(etcd.client(), config.settings(), config.storeSettings(), registry,
                Clock.systemUTC(), config.convergerId());
        opened.push(converger);
        converger.start();
        log.info("converger {} campaigning, etcd {} under {}, interval {}", config.convergerId(),
                config.etcdEndpoints(), config.etcdPrefix(), config.settings().interval());
    }

    /** The converger, for its leadership and last status. */
    public Converger converger() {
        return converger;
    }

    /** The registry every meter of this process is in. */
    public MeterRegistry registry() {
        return registry;
    }

    /** The bound port of the metrics endpoint, if it is enabled. */
    public Optional<Integer> metricsPort() {
        return metrics.map(MetricsEndpoint::port);
    }

    /** Blocks until {@link #close()} has finished. */
    @Override
    public void awaitTermination() throws InterruptedException {
        stopped.await();
    }

    /** Resigns, then closes the metrics endpoint and the etcd connection; idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        log.info("converger {} shutting down", config.convergerId());
        opened.closeAll();
        registry.close();
        log.info("converger {} stopped", config.convergerId());
        stopped.countDown();
    }
}
