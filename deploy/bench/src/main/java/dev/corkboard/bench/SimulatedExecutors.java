package dev.corkboard.bench;

import dev.corkboard.proto.v1.Capacity;
import dev.corkboard.proto.v1.ClaimNextRequest;
import dev.corkboard.proto.v1.ClaimNextResponse;
import dev.corkboard.proto.v1.CompleteTaskRequest;
import dev.corkboard.proto.v1.ExecutorServiceGrpc;
import dev.corkboard.proto.v1.StartTaskRequest;
import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskResponse;
import dev.corkboard.proto.v1.TaskServiceGrpc;
import io.grpc.Channel;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Executors as the BBS sees them, without containers: each keeps one ClaimNext long-poll parked, as the real agent
 * does, and polls again as soon as a claim arrives; the claimed task is then started (StartTask) and completed
 * successfully (CompleteTask) at once. An executor has room for any number of tasks, so claiming is bounded by the
 * BBS, not by made-up capacity. The executors offer no runtime, so tasks naming one (real work) are left to real
 * agents.
 *
 * <p>A failed call is counted and the executor polls again after a pause; the task it concerned is left to time out
 * in the figures of whoever desired it.
 */
final class SimulatedExecutors implements AutoCloseable {

    /** Told the moment each claim arrives at an executor; on a gRPC thread. */
    interface ClaimListener {
        void claimed(String guid, long nanoTime);
    }

    private static final long WAIT_MS = 5_000;
    private static final long CALL_TIMEOUT_MS = 10_000;
    private static final Capacity ROOM = Capacity.newBuilder().setMemoryMb(1 << 20).setDiskMb(1 << 20)
            .setContainers(1 << 16).build();

    private final ExecutorServiceGrpc.ExecutorServiceStub executors;
    private final Channel channel;
    private final ClaimListener listener;
    private final LongAdder failures = new LongAdder();
    private final AtomicReference<Throwable> firstFailure = new AtomicReference<>();
    private volatile boolean stopping;

    private SimulatedExecutors(Channel channel, ClaimListener listener) {
        this.channel = channel;
        this.executors = ExecutorServiceGrpc.newStub(channel);
        this.listener = listener;
    }

    static SimulatedExecutors start(Channel channel, int count, ClaimListener listener) {
        SimulatedExecutors started = new SimulatedExecutors(channel, listener);
        String run = UUID.randomUUID().toString().substring(0, 8);
        for (int i = 0; i < count; i++) {
            started.poll(ClaimNextRequest.newBuilder().setExecutorId("bench-" + run + "-" + i).setFree(ROOM)
                    .setWaitMs(WAIT_MS).build());
        }
        return started;
    }

    long failures() {
        return failures.sum();
    }

    Optional<Throwable> firstFailure() {
        return Optional.ofNullable(firstFailure.get());
    }

    private void poll(ClaimNextRequest request) {
        if (stopping) {
            return;
        }
        Unary.<ClaimNextResponse>call(answer -> executors.withDeadlineAfter(WAIT_MS + CALL_TIMEOUT_MS,
                TimeUnit.MILLISECONDS).claimNext(request, answer)).whenComplete((response, failed) -> {
                    if (failed != null) {
                        failed(failed);
                        CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS).execute(() -> poll(request));
                        return;
                    }
                    poll(request);
                    if (response.hasTask()) {
                        listener.claimed(response.getTask().getGuid(), System.nanoTime());
                        run(request.getExecutorId(), response.getTask());
                    }
                });
    }

    private void run(String executorId, Task task) {
        String guid = task.getGuid();
        Unary.<TaskResponse>call(answer -> tasks().startTask(StartTaskRequest.newBuilder().setGuid(guid)
                        .setExecutorId(executorId).setContainerHandle("container-" + guid).build(), answer))
                .thenCompose(running -> Unary.<TaskResponse>call(answer -> tasks().completeTask(
                        CompleteTaskRequest.newBuilder().setGuid(guid).setExecutorId(executorId).build(), answer)))
                .whenComplete((completed, failed) -> {
                    if (failed != null) {
                        failed(failed);
                    }
                });
    }

    private TaskServiceGrpc.TaskServiceStub tasks() {
        return TaskServiceGrpc.newStub(channel).withDeadlineAfter(CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    private void failed(Throwable failure) {
        // calls cut short by close are not failures of the BBS
        if (!stopping) {
            failures.increment();
            firstFailure.compareAndSet(null, failure);
        }
    }

    /** Stops polling again; the owner of the channel cancels the parked polls by closing it. */
    @Override
    public void close() {
        stopping = true;
    }
}
