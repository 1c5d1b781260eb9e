package dev.corkboard.bbs.executors;

import dev.corkboard.bbs.store.EtcdFutures;
import dev.corkboard.bbs.store.EtcdTaskStore;
import dev.corkboard.bbs.store.TaskEventSink;
import dev.corkboard.bbs.store.TaskFilter;
import dev.corkboard.bbs.store.TaskWatch;
import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskEvent;
import dev.corkboard.proto.v1.TaskState;
import io.grpc.Status;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replica's one task watch for the executor side: it lists the Pending tasks (through the state index), then
 * watches the task table from the listing's revision and feeds every change to the {@link ClaimBroker}'s pending pool
 * and to the {@link ExecutorStreams} by executor id. However many executors poll or stream, this replica holds one
 * etcd watch for them.
 *
 * <p><b>etcd unreachable</b>: while the listing fails, the broker is told the feed is down (ClaimNext answers
 * {@code UNAVAILABLE}) and the listing is retried with backoff from 250 ms to 5 s. A running watch rides out
 * connection loss by itself (jetcd resumes it). When the watch is cut off (its buffer filled) or cannot resume
 * (the revision was compacted), every executor stream ends with {@code UNAVAILABLE} and the feed lists and watches
 * again; the pool keeps serving what it had meanwhile (claims are compare-and-swap, so a stale entry costs at most a
 * lost claim).
 */
final class TaskFeed implements TaskEventSink, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TaskFeed.class);
    private static final long FIRST_BACKOFF_MS = 250;
    private static final long MAX_BACKOFF_MS = 5_000;

    private final EtcdTaskStore store;
    private final ClaimBroker broker;
    private final ExecutorStreams streams;
    private final ScheduledExecutorService timer;
    private final int buffer;
    private final Object lock = new Object();
    /** Guarded by lock. */
    private TaskWatch watch;
    private boolean closed;
    private int failures;

    TaskFeed(EtcdTaskStore store, ClaimBroker broker, ExecutorStreams streams, ScheduledExecutorService timer,
            int buffer) {
        this.store = store;
        this.broker = broker;
        this.streams = streams;
        this.timer = timer;
        this.buffer = buffer;
    }

    /** Lists and starts watching in the background; returns at once. */
    void start() {
        schedule(0);
    }

    private void connect() {
        synchronized (lock) {
            if (closed) {
                return;
            }
        }
        FullListing.of(store, TaskFilter.inState(TaskState.PENDING)).whenComplete((listing, failure) -> {
            if (failure != null) {
                retry(EtcdFutures.unwrap(failure));
            } else {
                follow(listing);
            }
        });
    }

    private void follow(FullListing listing) {
        broker.reset(listing.tasks(), listing.revision());
        TaskWatch started;
        try {
            started = store.watch(listing.revision(), this, buffer);
        } catch (RuntimeException e) {
            retry(e);
            return;
        }
        synchronized (lock) {
            if (closed) {
                started.close();
                return;
            }
            watch = started;
            failures = 0;
        }
        streams.live();
        log.debug("executor task feed follows etcd after revision {} with {} pending tasks", listing.revision(),
                listing.tasks().size());
    }

    private void retry(Throwable failure) {
        long delay;
        synchronized (lock) {
            if (closed) {
                return;
            }
            delay = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS << Math.min(failures, 5));
            failures++;
        }
        log.warn("cannot list the pending tasks for executors (retrying in {} ms): {}", delay, failure.getMessage());
        broker.feedDown(String.valueOf(failure.getMessage()));
        schedule(delay);
    }

    private void schedule(long delayMs) {
        try {
            timer.schedule(this::connect, delayMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    @Override
    public void onEvent(TaskEvent event) {
        switch (event.getEventCase()) {
            case CREATED -> follow(event.getCreated().getTask(), event.getRevision());
            case CHANGED -> {
                follow(event.getChanged().getAfter(), event.getRevision());
                if (!event.getChanged().hasBefore()) {
                    resynced();
                }
            }
            case REMOVED -> {
                Task removed = event.getRemoved().getTask();
                broker.gone(removed.getGuid(), event.getRevision());
                if (removed.getState() == TaskState.TASK_STATE_UNSPECIFIED) {
                    resynced();
                }
            }
            default -> {
                return;
            }
        }
        streams.dispatch(event);
    }

    private void follow(Task task, long revision) {
        if (task.getState() == TaskState.PENDING) {
            broker.pending(task, revision);
        } else {
            broker.gone(task.getGuid(), revision);
        }
    }

    /** A change reported as a net difference after compaction: which executor had the task before is unknown. */
    private void resynced() {
        streams.resynced(Status.UNAVAILABLE.withDescription("the BBS skipped over compacted changes; watch the"
                + " executor's tasks again for a fresh snapshot"));
    }

    @Override
    public void onClosed(Optional<Throwable> cause) {
        synchronized (lock) {
            if (closed || cause.isEmpty()) {
                return;
            }
            watch = null;
        }
        log.warn("executor task feed's watch ended ({}); listing the pending tasks again", cause.get().getMessage());
        streams.interrupt(Status.UNAVAILABLE.withDescription("the BBS's task watch was interrupted ("
                + cause.get().getMessage() + "); watch the executor's tasks again"));
        schedule(0);
    }

    /** Stops the watch. */
    @Override
    public void close() {
        TaskWatch toClose;
        synchronized (lock) {
            closed = true;
            toClose = watch;
            watch = null;
        }
        if (toClose != null) {
            toClose.close();
        }
    }
}
