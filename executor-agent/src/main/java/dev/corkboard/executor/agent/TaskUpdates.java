package dev.corkboard.executor.agent;

import dev.corkboard.proto.v1.ExecutorTaskUpdate;
import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.WatchExecutorTasksRequest;
import io.grpc.Context;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows this executor's tasks on the BBS (WatchExecutorTasks): a snapshot whenever the stream (re)starts, then each
 * change. This is how a cancellation reaches the executor (the task turns COMPLETED while its container runs), and
 * how it learns that the converger took a task away. When the stream breaks (a replica died, the network dropped) it
 * reconnects to any replica with backoff (from 100 ms, doubling to 5 s, starting over after a stream that lived at
 * least 5 s); the fresh snapshot covers whatever changed meanwhile.
 */
final class TaskUpdates implements AutoCloseable {

    /** The failure reason of a cancelled task, as the BBS writes it. */
    static final String CANCELLED = "task was cancelled";

    private static final Logger log = LoggerFactory.getLogger(TaskUpdates.class);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

    /** Where updates go, on the stream's thread. */
    interface Listener {
        void snapshot(List<Task> tasks);

        void changed(Task task);
    }

    private final BbsLink bbs;
    private final String executorId;
    private final Listener listener;
    private final ScheduledExecutorService reconnects = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "corkboard-task-updates");
        thread.setDaemon(true);
        return thread;
    });
    private volatile Context.CancellableContext current;
    private volatile boolean closed;
    private final Backoff backoff = new Backoff(FIRST_BACKOFF, MAX_BACKOFF);
    private volatile long connectedNanos = System.nanoTime();

    TaskUpdates(BbsLink bbs, String executorId, Listener listener) {
        this.bbs = bbs;
        this.executorId = executorId;
        this.listener = listener;
    }

    void start() {
        reconnects.execute(this::connect);
    }

    private void connect() {
        if (closed) {
            return;
        }
        Context.CancellableContext context = Context.current().withCancellation();
        current = context;
        connectedNanos = System.nanoTime();
        context.run(() -> bbs.executorStream().watchExecutorTasks(
                WatchExecutorTasksRequest.newBuilder().setExecutorId(executorId).build(), new Observer()));
    }

    private final class Observer implements StreamObserver<ExecutorTaskUpdate> {
        @Override
        public void onNext(ExecutorTaskUpdate update) {
            try {
                switch (update.getUpdateCase()) {
                    case SNAPSHOT -> listener.snapshot(update.getSnapshot().getTasksList());
                    case CHANGED -> listener.changed(update.getChanged());
                    default -> log.debug("ignoring an empty task update");
                }
            } catch (RuntimeException e) {
                log.error("handling a task update failed", e);
            }
        }

        @Override
        public void onError(Throwable t) {
            reconnectLater(t.getMessage());
        }

        @Override
        public void onCompleted() {
            reconnectLater("the BBS ended the stream");
        }
    }

    private void reconnectLater(String why) {
        if (closed) {
            return;
        }
        // a stream that lived a while starts over from the first backoff; one that broke soon after it was opened (even
        // with its snapshot delivered) keeps backing off, so that a replica breaking every stream costs one snapshot
        // every few seconds rather than ten a second
        if (System.nanoTime() - connectedNanos >= MAX_BACKOFF.toNanos()) {
            backoff.reset();
        }
        Duration wait = backoff.next();
        log.info("task updates stream broke ({}); reconnecting in {} ms", why, wait.toMillis());
        try {
            reconnects.schedule(this::connect, wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closing
        }
    }

    @Override
    public void close() {
        closed = true;
        Context.CancellableContext context = current;
        if (context != null) {
            context.cancel(null);
        }
        reconnects.shutdownNow();
    }
}
