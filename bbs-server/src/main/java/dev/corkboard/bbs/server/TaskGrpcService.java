package dev.corkboard.bbs.server;

import dev.corkboard.bbs.state.TaskError;
import dev.corkboard.bbs.state.TaskException;
import dev.corkboard.bbs.state.TaskRequest;
import dev.corkboard.bbs.store.EtcdTaskStore;
import dev.corkboard.bbs.store.TaskFilter;
import dev.corkboard.bbs.store.TaskPage;
import dev.corkboard.proto.v1.CancelTaskRequest;
import dev.corkboard.proto.v1.ClaimTaskRequest;
import dev.corkboard.proto.v1.CompleteTaskRequest;
import dev.corkboard.proto.v1.DesireTaskRequest;
import dev.corkboard.proto.v1.FailTaskRequest;
import dev.corkboard.proto.v1.GetTaskRequest;
import dev.corkboard.proto.v1.ListTasksRequest;
import dev.corkboard.proto.v1.ListTasksResponse;
import dev.corkboard.proto.v1.RejectTaskRequest;
import dev.corkboard.proto.v1.ResolveTaskRequest;
import dev.corkboard.proto.v1.ResolvingTaskRequest;
import dev.corkboard.proto.v1.StartTaskRequest;
import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskResponse;
import dev.corkboard.proto.v1.TaskServiceGrpc;
import dev.corkboard.proto.v1.TaskState;
import dev.corkboard.proto.v1.WatchTasksRequest;
import dev.corkboard.proto.v1.WatchTasksResponse;
import io.grpc.Context;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * {@code corkboard.v1.TaskService}: maps each protobuf request to a {@link TaskRequest}, hands it to the
 * {@link EtcdTaskStore}, and maps the result back; refusals become statuses in {@link ErrorStatus} and nowhere else.
 *
 * <p>Handlers never block a gRPC thread on etcd: they answer when the store's future completes. Every store call is
 * bounded by the store's request timeout, so etcd being unreachable yields {@code UNAVAILABLE}, never a hang. A
 * caller whose deadline passes or who cancels gets its status from gRPC at once; a store call already sent may still
 * apply, which is safe because every call is idempotent for the same actor.
 *
 * <p>Under mutual TLS the executor calls (claim, start, reject, complete) are refused with {@code PERMISSION_DENIED}
 * when their executor id is not the caller's certificate CN ({@link ExecutorIdentity}).
 */
public final class TaskGrpcService extends TaskServiceGrpc.TaskServiceImplBase {

    private static final Logger log = LoggerFactory.getLogger(TaskGrpcService.class);

    private final EtcdTaskStore store;
    private final TaskCounters counters;
    private final WatchSubscribers subscribers;
    private final int watchBuffer;
    private final Executor opening;

    /**
     * @param opening where a watch stream that first checked etcd's revision is opened: opening may wait for etcd
     *     (starting the shared watch reads its revision), and waiting on an etcd client thread deadlocks when that
     *     thread is the one the answer needs, as with the Vert.x transport's single event loop
     */
    TaskGrpcService(EtcdTaskStore store, TaskCounters counters, WatchSubscribers subscribers, int watchBuffer,
            Executor opening) {
        this.store = store;
        this.counters = counters;
        this.subscribers = subscribers;
        this.watchBuffer = watchBuffer;
        this.opening = opening;
    }

    @Override
    public void desireTask(DesireTaskRequest request, StreamObserver<TaskResponse> observer) {
        apply(new TaskRequest.Desire(request.getGuid(), request.getDomain(), request.getDefinition()), observer,
                applied -> {});
    }

    @Override
    public void claimTask(ClaimTaskRequest request, StreamObserver<TaskResponse> observer) {
        if (notTheCaller(request.getExecutorId(), observer)) {
            return;
        }
        apply(new TaskRequest.Claim(request.getGuid(), request.getExecutorId()), observer, applied -> {});
    }

    @Override
    public void startTask(StartTaskRequest request, StreamObserver<TaskResponse> observer) {
        if (notTheCaller(request.getExecutorId(), observer)) {
            return;
        }
        apply(new TaskRequest.Start(request.getGuid(), request.getExecutorId(), request.getContainerHandle()),
                observer, counters::started);
    }

    @Override
    public void rejectTask(RejectTaskRequest request, StreamObserver<TaskResponse> observer) {
        if (notTheCaller(request.getExecutorId(), observer)) {
            return;
        }
        apply(new TaskRequest.Reject(request.getGuid(), request.getExecutorId(), request.getReason()), observer,
                applied -> {});
    }

    @Override
    public void completeTask(CompleteTaskRequest request, StreamObserver<TaskResponse> observer) {
        if (notTheCaller(request.getExecutorId(), observer)) {
            return;
        }
        apply(new TaskRequest.Complete(request.getGuid(), request.getExecutorId(), request.getFailed(),
                request.getFailureReason(), request.getResult()), observer, counters::completed);
    }

    @Override
    public void cancelTask(CancelTaskRequest request, StreamObserver<TaskResponse> observer) {
        apply(new TaskRequest.Cancel(request.getGuid()), observer, applied -> {});
    }

    @Override
    public void failTask(FailTaskRequest request, StreamObserver<TaskResponse> observer) {
        apply(new TaskRequest.Fail(request.getGuid(), request.getReason()), observer, applied -> {});
    }

    @Override
    public void resolvingTask(ResolvingTaskRequest request, StreamObserver<TaskResponse> observer) {
        apply(new TaskRequest.Resolving(request.getGuid()), observer, applied -> {});
    }

    @Override
    public void resolveTask(ResolveTaskRequest request, StreamObserver<TaskResponse> observer) {
        apply(new TaskRequest.Resolve(request.getGuid()), observer, applied -> {});
    }

    @Override
    public void getTask(GetTaskRequest request, StreamObserver<TaskResponse> observer) {
        answer(() -> store.get(request.getGuid()), TaskGrpcService::taskResponse, observer, request.getGuid());
    }

    @Override
    public void listTasks(ListTasksRequest request, StreamObserver<ListTasksResponse> observer) {
        answer(() -> store.list(filter(request), request.getPageSize(),
                        request.getPageToken().isEmpty() ? Optional.empty() : Optional.of(request.getPageToken())),
                TaskGrpcService::pageResponse, observer, "");
    }

    @Override
    public void watchTasks(WatchTasksRequest request, StreamObserver<WatchTasksResponse> observer) {
        if (request.getAfterRevision() < 0) {
            observer.onError(ErrorStatus.exception(new TaskError.InvalidRequest("after_revision",
                    "must not be negative, was " + request.getAfterRevision())));
            return;
        }
        WatchStream stream = new WatchStream((ServerCallStreamObserver<WatchTasksResponse>) observer, subscribers);
        long after = request.getAfterRevision();
        if (after == 0) {
            stream.open(store, 0, watchBuffer);
            return;
        }
        // etcd answers a watch from a revision it has not reached with an error that reads like an outage
        store.revision().whenCompleteAsync((current, failure) -> {
            if (failure != null) {
                stream.refuse(ErrorStatus.exception(failure, ""));
            } else if (after > current) {
                stream.refuse(ErrorStatus.exception(new TaskError.InvalidRequest("after_revision", "is " + after
                        + ", ahead of etcd's current revision " + current
                        + "; watch after the revision of a listing or of an event received")));
            } else {
                stream.open(store, after, watchBuffer);
            }
        }, opening);
    }

    /** Under mutual TLS, refuses an executor call made in the name of another executor than the caller. */
    private static boolean notTheCaller(String executorId, StreamObserver<?> observer) {
        Optional<TaskError.NotTheCaller> refusal = ExecutorIdentity.check(executorId);
        refusal.ifPresent(error -> observer.onError(ErrorStatus.exception(error)));
        return refusal.isPresent();
    }

    private void apply(TaskRequest request, StreamObserver<TaskResponse> observer,
            Consumer<EtcdTaskStore.Applied> count) {
        answer(() -> store.applyReporting(request).whenComplete((applied, failure) -> {
            if (applied != null) {
                count.accept(applied);
            }
        }), applied -> taskResponse(applied.task()), observer, request.guid());
    }

    /**
     * Runs one store call and answers the caller with its mapped result or status. A caller already gone (deadline
     * passed, cancelled) is not sent anything, and no store call is started for a caller gone before it began.
     */
    private static <T, R> void answer(Supplier<CompletableFuture<T>> call, Function<T, R> toResponse,
            StreamObserver<R> observer, String guid) {
        ServerCallStreamObserver<R> server = (ServerCallStreamObserver<R>) observer;
        if (Context.current().isCancelled()) {
            return;
        }
        CompletableFuture<T> future;
        try {
            future = call.get();
        } catch (RuntimeException e) {
            observer.onError(ErrorStatus.exception(e, guid));
            return;
        }
        future.whenComplete((result, failure) -> {
            if (server.isCancelled()) {
                return;
            }
            if (failure != null) {
                StatusRuntimeException status = ErrorStatus.exception(failure, guid);
                logAbout(guid, "call refused: {}", status.getStatus());
                observer.onError(status);
                return;
            }
            R response;
            try {
                response = toResponse.apply(result);
            } catch (RuntimeException e) {
                observer.onError(ErrorStatus.exception(e, guid));
                return;
            }
            logAbout(guid, "call answered", null);
            observer.onNext(response);
            observer.onCompleted();
        });
    }

    /** Logs at debug level with the task guid in the MDC: answers come on etcd's threads, outside the call's MDC. */
    private static void logAbout(String guid, String message, Object argument) {
        if (!log.isDebugEnabled()) {
            return;
        }
        if (guid.isEmpty()) {
            log.debug(message, argument);
            return;
        }
        MDC.put(CallMetrics.TASK_GUID, guid);
        try {
            log.debug(message, argument);
        } finally {
            MDC.remove(CallMetrics.TASK_GUID);
        }
    }

    /** The listing filter; an unset field matches every task, an unknown state number is refused. */
    static TaskFilter filter(ListTasksRequest request) {
        TaskFilter filter = TaskFilter.all();
        if (request.getState() == TaskState.UNRECOGNIZED) {
            throw new TaskException(new TaskError.InvalidRequest("state", "unknown value " + request.getStateValue()
                    + "; expected one of PENDING, CLAIMED, RUNNING, COMPLETED, RESOLVING, or unset for every state"));
        }
        if (request.getState() != TaskState.TASK_STATE_UNSPECIFIED) {
            filter = filter.withState(request.getState());
        }
        if (!request.getDomain().isEmpty()) {
            filter = filter.withDomain(request.getDomain());
        }
        if (!request.getExecutorId().isEmpty()) {
            filter = filter.withExecutor(request.getExecutorId());
        }
        return filter;
    }

    private static TaskResponse taskResponse(Task task) {
        return TaskResponse.newBuilder().setTask(task).build();
    }

    private static ListTasksResponse pageResponse(TaskPage page) {
        return ListTasksResponse.newBuilder()
                .addAllTasks(page.tasks())
                .setNextPageToken(page.nextPageToken().orElse(""))
                .setRevision(page.revision())
                .build();
    }
}
