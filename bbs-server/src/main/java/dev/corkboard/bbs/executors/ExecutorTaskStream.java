package dev.corkboard.bbs.executors;

import dev.corkboard.proto.v1.ExecutorTaskUpdate;
import dev.corkboard.proto.v1.ExecutorTasksSnapshot;
import dev.corkboard.proto.v1.Task;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.ArrayDeque;
import java.util.List;
import java.util.function.Consumer;

/**
 * One WatchExecutorTasks call: the executor's tasks as listed at one revision, then every change after that revision
 * the replica's task watch dispatches to it.
 *
 * <p>Updates wait in a buffer of fixed capacity while the snapshot is being read or the caller is not reading; when
 * it fills, the stream ends with {@code RESOURCE_EXHAUSTED} and the executor reconnects (getting a fresh snapshot),
 * so a slow reader costs bounded memory and never holds up the shared watch. Every call on the gRPC observer happens
 * under this object's lock, so they never race.
 */
final class ExecutorTaskStream {

    private record Update(long revision, Task task) {}

    private final String executorId;
    private final ServerCallStreamObserver<ExecutorTaskUpdate> call;
    private final int capacity;
    private final Consumer<ExecutorTaskStream> onEnd;
    private final ArrayDeque<Update> queue = new ArrayDeque<>();
    /** The snapshot's revision once it is sent; -1 before. Guarded by this. */
    private long snapshotRevision = -1;
    /** Guarded by this. */
    private boolean ended;

    /** Must be created while the service method runs: gRPC takes the handlers only then. */
    ExecutorTaskStream(String executorId, ServerCallStreamObserver<ExecutorTaskUpdate> call, int capacity,
            Consumer<ExecutorTaskStream> onEnd) {
        this.executorId = executorId;
        this.call = call;
        this.capacity = capacity;
        this.onEnd = onEnd;
        call.setOnCancelHandler(this::cancelled);
        call.setOnReadyHandler(this::drain);
    }

    String executorId() {
        return executorId;
    }

    /** Queues one change to one of the executor's tasks; ends the stream instead when the buffer is full. */
    void offer(long revision, Task task) {
        synchronized (this) {
            if (ended) {
                return;
            }
            if (queue.size() < capacity) {
                queue.add(new Update(revision, task));
                drain();
                return;
            }
        }
        end(Status.RESOURCE_EXHAUSTED.withDescription("the executor's task stream fell " + capacity
                + " updates behind and was cut off; watch again for a fresh snapshot"));
    }

    /** Sends the snapshot, then the queued changes made after it. */
    void snapshot(List<Task> tasks, long revision) {
        synchronized (this) {
            if (ended) {
                return;
            }
            snapshotRevision = revision;
            call.onNext(ExecutorTaskUpdate.newBuilder()
                    .setSnapshot(ExecutorTasksSnapshot.newBuilder().addAllTasks(tasks)).build());
            drain();
        }
    }

    private synchronized void drain() {
        while (!ended && snapshotRevision >= 0 && call.isReady() && !queue.isEmpty()) {
            Update update = queue.poll();
            if (update.revision() > snapshotRevision) {
                call.onNext(ExecutorTaskUpdate.newBuilder().setChanged(update.task()).build());
            }
        }
    }

    /** Ends the stream with {@code status} (unless the caller is gone); idempotent. */
    void end(Status status) {
        synchronized (this) {
            if (ended) {
                return;
            }
            ended = true;
            queue.clear();
            if (!call.isCancelled()) {
                call.onError(status.asRuntimeException());
            }
        }
        onEnd.accept(this);
    }

    private void cancelled() {
        synchronized (this) {
            ended = true;
            queue.clear();
        }
        onEnd.accept(this);
    }
}
