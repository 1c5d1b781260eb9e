package dev.corkboard.bbs.server;

import dev.corkboard.bbs.store.EtcdTaskStore;
import dev.corkboard.bbs.store.ResyncRequiredException;
import dev.corkboard.bbs.store.SlowConsumerException;
import dev.corkboard.bbs.store.TaskEventSink;
import dev.corkboard.bbs.store.TaskWatch;
import dev.corkboard.proto.v1.ResyncRequired;
import dev.corkboard.proto.v1.TaskEvent;
import dev.corkboard.proto.v1.WatchTasksResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.Optional;

/**
 * One WatchTasks stream: the events of the replica's {@link SharedTaskWatch} (or, for a caller catching up from an
 * older revision than the shared watch has handed over, of a store {@link TaskWatch} of its own) going to one gRPC
 * caller.
 *
 * <p><b>Flow control</b>: the stream's thread hands over one event at a time and waits while the call is not ready
 * (the caller is not reading and the transport's buffer is full). Meanwhile events collect in the stream's own
 * bounded buffer; when that fills, the stream is cut off and the caller gets {@code RESOURCE_EXHAUSTED} naming the last
 * revision it was sent, from which it can watch again. Memory per stream is therefore bounded by the buffer.
 *
 * <p><b>Ends</b>: a caller that cancels leaves the shared watch (or closes its own); a server that shuts down ends
 * the stream with {@code UNAVAILABLE} (resume on another replica after the last revision received); a watch that
 * cannot resume from the requested revision sends {@code resync_required} and completes; etcd failures end it with
 * their mapped status.
 *
 * <p>Every call on the gRPC observer after {@link #open} happens on the stream's thread, so they never race.
 */
final class WatchStream implements TaskEventSink {

    private final ServerCallStreamObserver<WatchTasksResponse> call;
    private final WatchSubscribers subscribers;
    private final Object lock = new Object();
    /** Stops what feeds this stream. Guarded by lock. */
    private Runnable unfollow;
    /** The caller went away. Guarded by lock. */
    private boolean cancelled;
    /** Set when this server ends the stream (shutdown). Guarded by lock. */
    private Optional<Status> endWith = Optional.empty();
    private volatile long sentRevision;

    /** Must be created while the service method runs: gRPC takes the handlers only then. */
    WatchStream(ServerCallStreamObserver<WatchTasksResponse> call, WatchSubscribers subscribers) {
        this.call = call;
        this.subscribers = subscribers;
        call.setOnCancelHandler(this::cancel);
        call.setOnReadyHandler(this::wake);
    }

    /** Ends the call before {@link #open}: nothing else talks to it yet. */
    void refuse(StatusRuntimeException status) {
        if (!call.isCancelled()) {
            call.onError(status);
        }
    }

    /** Starts following the store after {@code afterRevision} (0: from now), or ends the call at once with why not. */
    void open(EtcdTaskStore store, long afterRevision, int bufferCapacity) {
        synchronized (lock) {
            if (cancelled) {
                return;
            }
        }
        Optional<Status> refused = subscribers.admit(this);
        if (refused.isPresent()) {
            call.onError(refused.get().asRuntimeException());
            return;
        }
        sentRevision = afterRevision;
        Runnable started;
        try {
            Optional<TaskRelay> joined = subscribers.shared().join(afterRevision, this, bufferCapacity);
            if (joined.isPresent()) {
                started = joined.get()::close;
            } else {
                started = store.watch(afterRevision, this, bufferCapacity)::close;
            }
        } catch (RuntimeException e) {
            // no stream thread exists, so this thread may still talk to the call
            subscribers.leave(this);
            if (!call.isCancelled()) {
                call.onError(ErrorStatus.exception(e, ""));
            }
            return;
        }
        boolean endNow;
        synchronized (lock) {
            unfollow = started;
            endNow = cancelled || endWith.isPresent();
        }
        if (endNow) {
            started.run();
        }
    }

    /** Ends the stream with {@code status} (sent unless the caller is gone) and stops what feeds it. */
    void end(Status status) {
        Runnable toClose;
        synchronized (lock) {
            if (endWith.isEmpty()) {
                endWith = Optional.of(status);
            }
            toClose = unfollow;
            lock.notifyAll();
        }
        if (toClose != null) {
            toClose.run();
        }
    }

    @Override
    public void onEvent(TaskEvent event) {
        if (awaitReady()) {
            call.onNext(WatchTasksResponse.newBuilder().setEvent(event).build());
            sentRevision = event.getRevision();
        }
    }

    @Override
    public void onClosed(Optional<Throwable> cause) {
        subscribers.leave(this);
        Optional<Status> ending;
        synchronized (lock) {
            if (cancelled) {
                return;
            }
            ending = endWith;
        }
        if (ending.isPresent()) {
            call.onError(ending.get().asRuntimeException());
        } else if (cause.isEmpty()) {
            call.onCompleted();
        } else if (cause.get() instanceof ResyncRequiredException resync) {
            call.onNext(WatchTasksResponse.newBuilder().setResyncRequired(
                    ResyncRequired.newBuilder().setRequestedRevision(resync.requestedRevision())).build());
            call.onCompleted();
        } else if (cause.get() instanceof SlowConsumerException slow) {
            call.onError(Status.RESOURCE_EXHAUSTED.withDescription(slow.getMessage() + " (the last event sent was at"
                    + " revision " + sentRevision + ")").asRuntimeException());
        } else {
            call.onError(ErrorStatus.exception(cause.get(), ""));
        }
    }

    /**
     * Waits until the call can take a message. False when the stream is ending instead: cancelled, ended by the
     * server, or cut off as slow (which interrupts this thread).
     */
    private boolean awaitReady() {
        synchronized (lock) {
            while (!cancelled && endWith.isEmpty() && !call.isReady()) {
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return !cancelled && endWith.isEmpty();
        }
    }

    private void wake() {
        synchronized (lock) {
            lock.notifyAll();
        }
    }

    private void cancel() {
        Runnable toClose;
        synchronized (lock) {
            cancelled = true;
            toClose = unfollow;
            lock.notifyAll();
        }
        if (toClose != null) {
            toClose.run();
        }
    }
}
