package dev.corkboard.bbs.server;

import dev.corkboard.bbs.executors.ClaimReply;
import dev.corkboard.bbs.executors.ExecutorHub;
import dev.corkboard.bbs.executors.ExecutorOffer;
import dev.corkboard.bbs.executors.ExecutorValidation;
import dev.corkboard.bbs.state.TaskError;
import dev.corkboard.proto.v1.ClaimNextRequest;
import dev.corkboard.proto.v1.ClaimNextResponse;
import dev.corkboard.proto.v1.DeregisterRequest;
import dev.corkboard.proto.v1.DeregisterResponse;
import dev.corkboard.proto.v1.ExecutorServiceGrpc;
import dev.corkboard.proto.v1.ExecutorTaskUpdate;
import dev.corkboard.proto.v1.HeartbeatRequest;
import dev.corkboard.proto.v1.HeartbeatResponse;
import dev.corkboard.proto.v1.ListExecutorsRequest;
import dev.corkboard.proto.v1.ListExecutorsResponse;
import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.WatchExecutorTasksRequest;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * {@code corkboard.v1.ExecutorService}: checks each request (its fields, and under mutual TLS that the executor is
 * the caller, see {@link ExecutorIdentity}), hands it to the {@link ExecutorHub}, and maps the answer; refusals
 * become statuses through {@link ErrorStatus}. No handler blocks a gRPC thread: ClaimNext parks without a thread and
 * answers from whichever thread settles it.
 */
final class ExecutorGrpcService extends ExecutorServiceGrpc.ExecutorServiceImplBase {

    private final ExecutorHub hub;

    ExecutorGrpcService(ExecutorHub hub) {
        this.hub = hub;
    }

    @Override
    public void heartbeat(HeartbeatRequest request, StreamObserver<HeartbeatResponse> observer) {
        if (refused(request.getPresence().getExecutorId(), ExecutorValidation.check(request), observer)) {
            return;
        }
        answer(hub.heartbeats().heartbeat(request.getPresence(), request.getLeaseId()), lease ->
                HeartbeatResponse.newBuilder().setLeaseId(lease).setTtlSeconds(hub.heartbeats().ttlSeconds())
                        .build(), observer);
    }

    @Override
    public void deregister(DeregisterRequest request, StreamObserver<DeregisterResponse> observer) {
        if (refused(request.getExecutorId(), ExecutorValidation.check(request), observer)) {
            return;
        }
        answer(hub.heartbeats().deregister(request.getExecutorId()), done -> DeregisterResponse.getDefaultInstance(),
                observer);
    }

    @Override
    public void claimNext(ClaimNextRequest request, StreamObserver<ClaimNextResponse> observer) {
        if (refused(request.getExecutorId(), ExecutorValidation.check(request), observer)) {
            return;
        }
        ServerCallStreamObserver<ClaimNextResponse> call = (ServerCallStreamObserver<ClaimNextResponse>) observer;
        AtomicReference<Runnable> unpark = new AtomicReference<>(() -> {});
        call.setOnCancelHandler(() -> unpark.get().run());
        unpark.set(hub.claimNext(ExecutorOffer.of(request), request.getWaitMs(), new ClaimReply() {
            @Override
            public void claimed(Task task) {
                respond(call, ClaimNextResponse.newBuilder().setTask(task).build());
            }

            @Override
            public void empty() {
                respond(call, ClaimNextResponse.getDefaultInstance());
            }

            @Override
            public void failed(Status status) {
                if (!call.isCancelled()) {
                    call.onError(status.asRuntimeException());
                }
            }
        }));
        if (call.isCancelled()) {
            unpark.get().run();
        }
    }

    @Override
    public void watchExecutorTasks(WatchExecutorTasksRequest request, StreamObserver<ExecutorTaskUpdate> observer) {
        if (refused(request.getExecutorId(), ExecutorValidation.executorId(request.getExecutorId()), observer)) {
            return;
        }
        hub.watchTasks(request.getExecutorId(), (ServerCallStreamObserver<ExecutorTaskUpdate>) observer);
    }

    @Override
    public void listExecutors(ListExecutorsRequest request, StreamObserver<ListExecutorsResponse> observer) {
        answer(hub.list(), statuses -> ListExecutorsResponse.newBuilder().addAllExecutors(statuses).build(), observer);
    }

    /** Ends the call when the caller is not this executor or the request is invalid. */
    private static boolean refused(String executorId, Optional<TaskError.InvalidRequest> invalid,
            StreamObserver<?> observer) {
        Optional<? extends TaskError> refusal = ExecutorIdentity.check(executorId);
        if (refusal.isEmpty()) {
            refusal = invalid;
        }
        refusal.ifPresent(error -> observer.onError(ErrorStatus.exception(error)));
        return refusal.isPresent();
    }

    private static <T, R> void answer(CompletableFuture<T> future, Function<T, R> toResponse,
            StreamObserver<R> observer) {
        ServerCallStreamObserver<R> call = (ServerCallStreamObserver<R>) observer;
        future.whenComplete((result, failure) -> {
            if (call.isCancelled()) {
                return;
            }
            if (failure != null) {
                call.onError(ErrorStatus.exception(failure, ""));
            } else {
                respond(call, toResponse.apply(result));
            }
        });
    }

    private static <R> void respond(ServerCallStreamObserver<R> call, R response) {
        if (!call.isCancelled()) {
            call.onNext(response);
            call.onCompleted();
        }
    }
}
