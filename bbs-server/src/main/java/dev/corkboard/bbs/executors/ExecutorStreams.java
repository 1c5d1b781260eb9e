package dev.corkboard.bbs.executors;

import dev.corkboard.bbs.store.EtcdTaskStore;
import dev.corkboard.bbs.store.TaskFilter;
import dev.corkboard.proto.v1.ExecutorTaskUpdate;
import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskEvent;
import dev.corkboard.proto.v1.TaskState;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The WatchExecutorTasks streams of this replica, by executor id, fed by the replica's one task watch: each change
 * goes to the streams of the executor the task had before and the one it has after (a cancellation arrives as the
 * task COMPLETED with the cancel reason; a demotion as the task PENDING without an executor). No etcd watch is opened
 * per stream; each stream lists its executor's tasks once for its snapshot.
 *
 * <p>A stream opened while the task watch is not following etcd (starting, or re-listing after it was cut off) waits
 * for it before listing its snapshot, so no change between snapshot and watch is missed. When the task watch is
 * interrupted, every stream ends with {@code UNAVAILABLE} and its executor reconnects for a fresh snapshot. A snapshot
 * that cannot be read (etcd unreachable within the request timeout) ends its stream with the mapped status.
 */
final class ExecutorStreams implements AutoCloseable {

    private final EtcdTaskStore store;
    private final ExecutorSettings settings;
    private final Function<Throwable, Status> statusOf;
    private final Object lock = new Object();
    private final Map<String, Set<ExecutorTaskStream>> byExecutor = new HashMap<>();
    /** Streams waiting for the task watch to follow etcd before they list their snapshot. */
    private final Set<ExecutorTaskStream> waiting = new LinkedHashSet<>();
    private int count;
    private boolean live;
    private Optional<Status> closedWith = Optional.empty();

    ExecutorStreams(EtcdTaskStore store, ExecutorSettings settings, Function<Throwable, Status> statusOf,
            ExecutorMetrics metrics) {
        this.store = store;
        this.settings = settings;
        this.statusOf = statusOf;
        metrics.gauge(ExecutorMetrics.STREAMS, "WatchExecutorTasks streams open on this replica", this::count);
    }

    /** Serves one WatchExecutorTasks call; must run while the service method runs. */
    void open(String executorId, ServerCallStreamObserver<ExecutorTaskUpdate> call) {
        ExecutorTaskStream stream = new ExecutorTaskStream(executorId, call, settings.streamBuffer(), this::leave);
        Optional<Status> refused = Optional.empty();
        boolean listNow = false;
        synchronized (lock) {
            if (closedWith.isPresent()) {
                refused = closedWith;
            } else if (count >= settings.maxStreams()) {
                refused = Optional.of(Status.RESOURCE_EXHAUSTED.withDescription("this BBS replica already serves "
                        + settings.maxStreams() + " executor task streams; retry later or on another replica"));
            } else {
                byExecutor.computeIfAbsent(executorId, id -> new LinkedHashSet<>()).add(stream);
                count++;
                listNow = live;
                if (!live) {
                    waiting.add(stream);
                }
            }
        }
        if (refused.isPresent()) {
            stream.end(refused.get());
        } else if (listNow) {
            snapshot(stream);
        }
    }

    private void snapshot(ExecutorTaskStream stream) {
        FullListing.of(store, TaskFilter.all().withExecutor(stream.executorId())).whenComplete((listing, failure) -> {
            if (failure != null) {
                stream.end(statusOf.apply(failure));
            } else {
                stream.snapshot(listing.tasks(), listing.revision());
            }
        });
    }

    /** Hands one change of the task table to the streams of the executors it concerns. */
    void dispatch(TaskEvent event) {
        Optional<String> before = Optional.empty();
        Task after;
        switch (event.getEventCase()) {
            case CREATED -> after = event.getCreated().getTask();
            case CHANGED -> {
                if (event.getChanged().hasBefore()) {
                    before = Optional.of(event.getChanged().getBefore().getExecutorId());
                }
                after = event.getChanged().getAfter();
            }
            case REMOVED -> after = event.getRemoved().getTask().toBuilder().setState(TaskState.COMPLETED).build();
            default -> {
                return;
            }
        }
        List<ExecutorTaskStream> targets = new ArrayList<>();
        synchronized (lock) {
            before.filter(id -> !id.isEmpty() && !id.equals(after.getExecutorId()))
                    .ifPresent(id -> targets.addAll(byExecutor.getOrDefault(id, Set.of())));
            if (!after.getExecutorId().isEmpty()) {
                targets.addAll(byExecutor.getOrDefault(after.getExecutorId(), Set.of()));
            }
        }
        targets.forEach(stream -> stream.offer(event.getRevision(), after));
    }

    /** The task watch follows etcd again: streams that waited list their snapshots now. */
    void live() {
        List<ExecutorTaskStream> ready;
        synchronized (lock) {
            live = true;
            ready = new ArrayList<>(waiting);
            waiting.clear();
        }
        ready.forEach(this::snapshot);
    }

    /** The task watch stopped or cannot tell the executors apart for a while: every stream ends with {@code status}. */
    void interrupt(Status status) {
        List<ExecutorTaskStream> all;
        synchronized (lock) {
            live = false;
            all = streams();
        }
        all.forEach(stream -> stream.end(status));
    }

    /**
     * The task watch skipped over changes it can only report as net differences (etcd compacted them), which do
     * not say which executor a task had before: every stream ends with {@code status} for a fresh snapshot, while the
     * watch goes on.
     */
    void resynced(Status status) {
        List<ExecutorTaskStream> all;
        synchronized (lock) {
            all = streams();
        }
        all.forEach(stream -> stream.end(status));
    }

    /** Ends every stream and refuses new ones. */
    @Override
    public void close() {
        Status status = Status.UNAVAILABLE.withDescription(
                "this BBS replica is shutting down; watch the executor's tasks on another replica");
        List<ExecutorTaskStream> all;
        synchronized (lock) {
            closedWith = Optional.of(status);
            all = streams();
        }
        all.forEach(stream -> stream.end(status));
    }

    private List<ExecutorTaskStream> streams() {
        List<ExecutorTaskStream> all = new ArrayList<>();
        byExecutor.values().forEach(all::addAll);
        return all;
    }

    private void leave(ExecutorTaskStream stream) {
        synchronized (lock) {
            Set<ExecutorTaskStream> streams = byExecutor.get(stream.executorId());
            if (streams != null && streams.remove(stream)) {
                count--;
                if (streams.isEmpty()) {
                    byExecutor.remove(stream.executorId());
                }
            }
            waiting.remove(stream);
        }
    }

    int count() {
        synchronized (lock) {
            return count;
        }
    }
}
