package dev.corkboard.bbs.server;

import dev.corkboard.bbs.store.EtcdTaskStore;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks etcd for its revision every half second until it answers once, then runs {@code onAnswer} and stops. Each
 * attempt is bounded by the store's request timeout, so an unreachable etcd only delays readiness; failures are
 * logged at most once a minute.
 */
final class ReadinessProbe implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ReadinessProbe.class);
    private static final long PERIOD_MILLIS = 500;

    private final EtcdTaskStore store;
    private final Runnable onAnswer;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "corkboard-readiness");
        thread.setDaemon(true);
        return thread;
    });
    private long lastWarning;

    ReadinessProbe(EtcdTaskStore store, Runnable onAnswer) {
        this.store = store;
        this.onAnswer = onAnswer;
        timer.execute(this::probe);
    }

    private void probe() {
        store.revision().whenComplete((revision, failure) -> {
            if (failure == null) {
                onAnswer.run();
                timer.shutdown();
                return;
            }
            long now = System.nanoTime();
            if (lastWarning == 0 || now - lastWarning > TimeUnit.MINUTES.toNanos(1)) {
                lastWarning = now;
                log.warn("etcd does not answer yet; health stays NOT_SERVING: {}", failure.getMessage());
            }
            if (!timer.isShutdown()) {
                timer.schedule(this::probe, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
            }
        });
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
