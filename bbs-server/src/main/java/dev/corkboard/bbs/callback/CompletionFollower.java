package dev.corkboard.bbs.callback;

import dev.corkboard.bbs.store.EtcdTaskStore;
import dev.corkboard.bbs.store.ResyncRequiredException;
import dev.corkboard.bbs.store.TaskEventSink;
import dev.corkboard.bbs.store.TaskFilter;
import dev.corkboard.bbs.store.TaskPage;
import dev.corkboard.bbs.store.TaskWatch;
import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskEvent;
import dev.corkboard.proto.v1.TaskState;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Finds completed tasks that await a callback and offers them to the {@link DeliveryWorkers}: first by listing every
 * Completed task, then by following the store's watch from the listing's revision + 1, so no completion that happened
 * while this replica was down, or while it was listing, is missed.
 *
 * <p><b>Failures</b>: a watch that ends with {@link ResyncRequiredException} (the revision to resume after was
 * compacted away) leads to a new listing; a watch that ends any other way (etcd unreachable, a slow-consumer cut-off)
 * is started again after the last revision it delivered. A listing or watch start that fails (etcd unreachable) is
 * retried after {@link #RETRY_PAUSE}. Everything runs on one thread of its own; the watch's events arrive on the
 * watch's thread and are offered without waiting, so a full queue never holds the watch up (the offer is dropped and
 * counted instead; the converger's re-notify brings the task back).
 */
final class CompletionFollower implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CompletionFollower.class);
    static final Duration RETRY_PAUSE = Duration.ofSeconds(1);
    /**
     * Events the watch may hold for the sink. The sink never waits, so the buffer only absorbs bursts; it holds whole
     * task records (up to 256 KiB each), so it is kept small. Should it fill, the watch is cut off and resumed from
     * the last revision handled: nothing is lost.
     */
    private static final int WATCH_BUFFER = 256;

    private final EtcdTaskStore store;
    private final DeliveryWorkers workers;
    private final CallbackMetrics metrics;
    private final Duration listingTimeout;
    private final Thread thread;
    /** How each watch ended, as its sink heard it. */
    private final BlockingQueue<Optional<Throwable>> ends = new LinkedBlockingQueue<>();
    private volatile boolean closed;

    private CompletionFollower(EtcdTaskStore store, DeliveryWorkers workers, CallbackMetrics metrics,
            Duration listingTimeout) {
        this.store = store;
        this.workers = workers;
        this.metrics = metrics;
        this.listingTimeout = listingTimeout;
        this.thread = new Thread(this::run, "corkboard-callback-follower");
        this.thread.setDaemon(true);
    }

    /**
     * Starts following on a thread of its own.
     *
     * @param listingTimeout how long an offer found by listing waits for room in a full queue before it is dropped
     */
    static CompletionFollower start(EtcdTaskStore store, DeliveryWorkers workers, CallbackMetrics metrics,
            Duration listingTimeout) {
        CompletionFollower follower = new CompletionFollower(store, workers, metrics, listingTimeout);
        follower.thread.start();
        return follower;
    }

    private void run() {
        long after = 0; // 0: list first
        while (!closed) {
            try {
                if (after == 0) {
                    after = listCompleted();
                }
                after = follow(after);
            } catch (InterruptedException e) {
                return; // close()
            } catch (RuntimeException | ExecutionException e) {
                if (closed) {
                    return;
                }
                metrics.followRestarted(false);
                log.warn("cannot follow completed tasks, retrying in {} ms: {}", RETRY_PAUSE.toMillis(),
                        String.valueOf(e.getCause() == null ? e : e.getCause()));
                if (!pause()) {
                    return;
                }
            }
        }
    }

    /** Offers every Completed task awaiting a callback; returns the revision the listing was read at. */
    private long listCompleted() throws InterruptedException, ExecutionException {
        Optional<String> token = Optional.empty();
        long revision;
        int offered = 0;
        do {
            // the store bounds every call by its own request timeout
            TaskPage page = store.list(TaskFilter.inState(TaskState.COMPLETED), 0, token).get();
            revision = page.revision();
            for (Task task : page.tasks()) {
                if (CallbackTrigger.awaitsCallback(task)) {
                    offer(task, listingTimeout);
                    offered++;
                }
            }
            token = page.nextPageToken();
        } while (token.isPresent() && !closed);
        log.info("listed completed tasks at revision {}: {} await a callback", revision, offered);
        return revision;
    }

    /** Watches after {@code after} until the watch ends; returns the revision to resume after, or 0 to re-list. */
    private long follow(long after) throws InterruptedException {
        ends.clear();
        try (TaskWatch watch = store.watch(after, new Sink(), WATCH_BUFFER)) {
            Optional<Throwable> end = ends.take();
            if (end.isEmpty() || closed) {
                return after;
            }
            Throwable cause = end.get();
            boolean resync = cause instanceof ResyncRequiredException;
            metrics.followRestarted(resync);
            if (resync) {
                log.info("completed-task watch must resync: re-listing ({})", cause.getMessage());
                return 0;
            }
            long resume = Math.max(after, watch.lastRevision());
            log.warn("completed-task watch ended, watching again after revision {} in {} ms: {}", resume,
                    RETRY_PAUSE.toMillis(), cause.toString());
            if (!pause()) {
                throw new InterruptedException("closing");
            }
            return resume;
        }
    }

    private void offer(Task task, Duration maxWait) throws InterruptedException {
        DeliveryWorkers.Offer offer = workers.offer(task.getGuid(), maxWait);
        if (offer == DeliveryWorkers.Offer.DROPPED) {
            try (MDC.MDCCloseable ignored = MDC.putCloseable("task_guid", task.getGuid())) {
                log.warn("callback queue full: task dropped for now; the converger's re-notify offers it again");
            }
        }
    }

    /** False when closing interrupted the pause. */
    private boolean pause() {
        try {
            Thread.sleep(RETRY_PAUSE.toMillis());
            return !closed;
        } catch (InterruptedException e) {
            return false;
        }
    }

    /** Stops following: ends the watch and the thread. Deliveries already offered are the workers' to finish. */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(RETRY_PAUSE.toMillis() * 10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs on the watch's thread: offers without waiting, and never throws (that would end the watch). */
    private final class Sink implements TaskEventSink {
        @Override
        public void onEvent(TaskEvent event) {
            Optional<Task> task = CallbackTrigger.taskToDeliver(event);
            if (task.isEmpty()) {
                return;
            }
            try {
                offer(task.get(), Duration.ZERO);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // the watch is closing
            } catch (RuntimeException e) {
                log.error("cannot offer task {} for callback delivery", task.get().getGuid(), e);
            }
        }

        @Override
        public void onClosed(Optional<Throwable> cause) {
            ends.add(cause);
        }
    }
}
