package dev.corkboard.bbs.callback;

import dev.corkboard.bbs.store.EtcdTaskStore;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Objects;

/**
 * Delivers completion callbacks: a task whose definition names a {@code completion_callback_url} is resolved by the
 * BBS itself instead of a stager. When such a task is Completed, one replica moves it to Resolving (a
 * compare-and-swap, so exactly one of all running replicas wins; the others drop it quietly), POSTs its outcome as
 * JSON to the URL ({@code Content-Type: application/json}, a {@code corkboard.v1.TaskCallback} in proto3 JSON with
 * the proto field names, every field printed), and on a 2xx resolves it (removes it):
 * <pre>{@code
 * {"task_guid":"t1","failed":true,"failure_reason":"exit status 3","result":"...","annotation":"...",
 *  "created_at_ms":"1893456000123"}
 * }</pre>
 *
 * <p>Every BBS replica runs one of these. Each learns of completed tasks by listing the Completed tasks when it
 * starts and then following the store's watch, so completions that happened while it was down are delivered once
 * it is up. Deliveries run on a bounded pool of workers fed by a bounded queue; a request failing with 503, 504, a
 * connection failure or a timeout is retried with exponential backoff up to {@link CallbackSettings#maxAttempts()}
 * requests; any other status fails the round at once.
 *
 * <p><b>Failure</b>: a round that does not get a 2xx, or whose resolve fails, leaves the task Resolving; the converger
 * demotes Resolving tasks older than its kick interval to Completed, and the watch then offers them again. Completed
 * tasks this replica could not take (etcd unreachable, queue full) are rewritten by the converger's re-notify and
 * offered again likewise. While etcd is unreachable the watch resumes by itself; if its resume point is compacted
 * away, this component lists again. Delivery is therefore at least once: a receiver can see the same task twice
 * (e.g. its 2xx arrived but the resolve failed) and must treat repeats as one completion.
 */
public final class CompletionCallbacks implements AutoCloseable {

    private static final Duration MAX_CLOSE_GRACE = Duration.ofSeconds(5);

    private final DeliveryWorkers workers;
    private final CompletionFollower follower;
    private final Duration closeGrace;

    private CompletionCallbacks(DeliveryWorkers workers, CompletionFollower follower, Duration closeGrace) {
        this.workers = workers;
        this.follower = follower;
        this.closeGrace = closeGrace;
    }

    /**
     * Starts listing, watching and delivering in background threads and returns at once. etcd need not be reachable:
     * the listing is retried until it is.
     */
    public static CompletionCallbacks start(EtcdTaskStore store, CallbackSettings settings, MeterRegistry registry) {
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(registry, "registry");
        CallbackMetrics metrics = new CallbackMetrics(registry);
        CallbackDelivery delivery = new CallbackDelivery(store, new CallbackPoster(settings.requestTimeout()),
                RetryPolicy.of(settings), metrics);
        DeliveryWorkers workers = new DeliveryWorkers(settings.workers(), settings.queueCapacity(), delivery::deliver,
                metrics::dropped);
        metrics.queueDepth(workers::depth);
        CompletionFollower follower = CompletionFollower.start(store, workers, metrics, settings.requestTimeout());
        Duration grace = settings.requestTimeout().compareTo(MAX_CLOSE_GRACE) < 0
                ? settings.requestTimeout() : MAX_CLOSE_GRACE;
        return new CompletionCallbacks(workers, follower, grace);
    }

    /**
     * Stops the watch, abandons queued deliveries (their tasks are still Completed), lets deliveries in flight finish
     * for up to the request timeout (at most 5 s), then interrupts them; an interrupted delivery leaves its task
     * Resolving for the converger.
     */
    @Override
    public void close() {
        follower.close();
        workers.close(closeGrace);
    }
}
