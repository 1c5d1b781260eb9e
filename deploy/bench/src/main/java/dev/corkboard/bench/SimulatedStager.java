package dev.corkboard.bench;

import dev.corkboard.proto.v1.DesireTaskRequest;
import dev.corkboard.proto.v1.ListTasksRequest;
import dev.corkboard.proto.v1.ResolveTaskRequest;
import dev.corkboard.proto.v1.ResolvingTaskRequest;
import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskDefinition;
import dev.corkboard.proto.v1.TaskEvent;
import dev.corkboard.proto.v1.TaskResponse;
import dev.corkboard.proto.v1.TaskServiceGrpc;
import dev.corkboard.proto.v1.TaskState;
import dev.corkboard.proto.v1.WatchTasksRequest;
import dev.corkboard.proto.v1.WatchTasksResponse;
import io.grpc.Channel;
import io.grpc.Context;
import io.grpc.stub.StreamObserver;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Stagers as the BBS sees them, driven without a thread per task: each task is desired with DesireTask, its completion
 * is learnt from one WatchTasks stream (as {@code CompletionListener} learns it, rather than by polling), and it is
 * then taken with ResolvingTask and removed with ResolveTask. Every call goes through the async stub.
 *
 * <p>The watch starts after the revision of a listing made in {@link #start}, so no task desired afterwards can
 * complete unseen. When the stream breaks the stager does not resume: every task it still awaits fails with the
 * reason, since figures taken across a lost stream would not mean what they say.
 */
final class SimulatedStager implements AutoCloseable {

    static final String DOMAIN = "bench";
    private static final long CALL_TIMEOUT_SECONDS = 10;

    private final Channel channel;
    private final Map<String, CompletableFuture<Boolean>> awaiting = new ConcurrentHashMap<>();
    private final Context.CancellableContext watchContext = Context.current().withCancellation();
    private volatile Optional<Throwable> failure = Optional.empty();

    private SimulatedStager(Channel channel) {
        this.channel = channel;
    }

    static SimulatedStager start(Channel channel) {
        long revision = TaskServiceGrpc.newBlockingStub(channel).withWaitForReady()
                .withDeadlineAfter(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .listTasks(ListTasksRequest.newBuilder().setPageSize(1).build()).getRevision();
        SimulatedStager stager = new SimulatedStager(channel);
        stager.watchContext.run(() -> TaskServiceGrpc.newStub(channel).withWaitForReady().watchTasks(
                WatchTasksRequest.newBuilder().setAfterRevision(revision).build(), stager.new Completions()));
        return stager;
    }

    /**
     * Desires the task and completes once it has been resolved: with true when it completed successfully, false when
     * it completed failed; exceptionally when a call failed or the watch broke.
     */
    CompletableFuture<Boolean> lifecycle(String guid, TaskDefinition definition) {
        CompletableFuture<Boolean> resolved = new CompletableFuture<>();
        // awaited before the desire: a fast task completes before the desire's answer arrives
        awaiting.put(guid, resolved);
        failure.ifPresent(this::failAll);
        DesireTaskRequest desire = DesireTaskRequest.newBuilder().setGuid(guid).setDomain(DOMAIN)
                .setDefinition(definition).build();
        Unary.<TaskResponse>call(answer -> stub().desireTask(desire, answer))
                .whenComplete((task, failed) -> {
                    if (failed != null && awaiting.remove(guid, resolved)) {
                        resolved.completeExceptionally(failed);
                    }
                });
        return resolved;
    }

    private void resolve(Task completed, CompletableFuture<Boolean> resolved) {
        String guid = completed.getGuid();
        Unary.<TaskResponse>call(answer -> stub().resolvingTask(
                        ResolvingTaskRequest.newBuilder().setGuid(guid).build(), answer))
                .thenCompose(resolving -> Unary.<TaskResponse>call(answer -> stub()
                        .resolveTask(ResolveTaskRequest.newBuilder().setGuid(guid).build(), answer)))
                .whenComplete((removed, failed) -> {
                    if (failed != null) {
                        resolved.completeExceptionally(failed);
                    } else {
                        resolved.complete(!completed.getFailed());
                    }
                });
    }

    private TaskServiceGrpc.TaskServiceStub stub() {
        return TaskServiceGrpc.newStub(channel).withDeadlineAfter(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    private void failAll(Throwable reason) {
        awaiting.forEach((guid, resolved) -> {
            if (awaiting.remove(guid, resolved)) {
                resolved.completeExceptionally(reason);
            }
        });
    }

    /** Stops watching; tasks still awaited are left unresolved. */
    @Override
    public void close() {
        watchContext.cancel(null);
    }

    /** The watch stream: a change whose record after it is {@code COMPLETED} is a completion to resolve. */
    private final class Completions implements StreamObserver<WatchTasksResponse> {

        @Override
        public void onNext(WatchTasksResponse response) {
            if (response.hasResyncRequired()) {
                onError(new IllegalStateException("the BBS no longer holds revision "
                        + response.getResyncRequired().getRequestedRevision() + " of the task watch"));
                return;
            }
            TaskEvent event = response.getEvent();
            if (event.getEventCase() != TaskEvent.EventCase.CHANGED
                    || event.getChanged().getAfter().getState() != TaskState.COMPLETED) {
                return;
            }
            Task completed = event.getChanged().getAfter();
            CompletableFuture<Boolean> resolved = awaiting.remove(completed.getGuid());
            if (resolved != null) {
                resolve(completed, resolved);
            }
        }

        @Override
        public void onError(Throwable broken) {
            if (!watchContext.isCancelled()) {
                failure = Optional.of(new IllegalStateException("the task watch broke: " + broken, broken));
                failAll(failure.get());
            }
        }

        @Override
        public void onCompleted() {
            onError(new IllegalStateException("the BBS ended the task watch"));
        }
    }
}
