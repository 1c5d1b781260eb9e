package dev.corkboard.stager;

import dev.corkboard.proto.v1.CancelTaskRequest;
import dev.corkboard.proto.v1.DesireTaskRequest;
import dev.corkboard.proto.v1.GetTaskRequest;
import dev.corkboard.proto.v1.ListTasksRequest;
import dev.corkboard.proto.v1.ListTasksResponse;
import dev.corkboard.proto.v1.ResolveTaskRequest;
import dev.corkboard.proto.v1.ResolvingTaskRequest;
import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskDefinition;
import dev.corkboard.proto.v1.TaskServiceGrpc;
import dev.corkboard.proto.v1.WatchTasksRequest;
import dev.corkboard.proto.v1.WatchTasksResponse;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A stager's connection to Corkboard: desire tasks, read and cancel them, and learn of their completion.
 *
 * <pre>{@code
 * try (StagerClient client = StagerClient.connect(BbsEndpoints.parse("bbs-1:8686,bbs-2:8686"))) {
 *     client.desire("build-42", "builds", definition);
 *     try (CompletionListener listener = client.listen("builds", task -> publish(task))) {
 *         ...
 *     }
 * }
 * }</pre>
 *
 * <p>Calls go to any replica that answers (see {@link BbsChannel}) and fail with {@link StatusRuntimeException}
 * carrying the BBS's status: {@code INVALID_ARGUMENT} naming the field, {@code NOT_FOUND}, {@code ALREADY_EXISTS},
 * {@code FAILED_PRECONDITION} naming both states, {@code UNAVAILABLE} when etcd does not answer, and
 * {@code DEADLINE_EXCEEDED} when no replica answered within the call timeout. Every call is safe to repeat.
 */
public final class StagerClient implements AutoCloseable {

    /** How long one call may take when the caller does not say. */
    public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(10);

    private final ManagedChannel channel;
    private final Duration callTimeout;

    private StagerClient(ManagedChannel channel, Duration callTimeout) {
        this.channel = channel;
        this.callTimeout = callTimeout;
    }

    /** Plaintext connection with the default call timeout. */
    public static StagerClient connect(BbsEndpoints endpoints) {
        return connect(endpoints, Optional.empty(), DEFAULT_CALL_TIMEOUT);
    }

    public static StagerClient connect(BbsEndpoints endpoints, Optional<ClientTls> tls, Duration callTimeout) {
        if (callTimeout.isNegative() || callTimeout.isZero()) {
            throw new IllegalArgumentException("call timeout must be positive, was " + callTimeout);
        }
        return new StagerClient(BbsChannel.open(endpoints, tls), callTimeout);
    }

    /**
     * Desires a task. Repeating it with the same guid, domain and definition succeeds and returns the task as it is
     * now, so a desire whose answer was lost can simply be sent again; a different definition under the same guid
     * fails with {@code ALREADY_EXISTS}.
     */
    public Task desire(String guid, String domain, TaskDefinition definition) {
        return stub().desireTask(DesireTaskRequest.newBuilder()
                .setGuid(guid).setDomain(domain).setDefinition(definition).build()).getTask();
    }

    /** The task, or {@code NOT_FOUND}. */
    public Task get(String guid) {
        return stub().getTask(GetTaskRequest.newBuilder().setGuid(guid).build()).getTask();
    }

    /** Cancels a pending, claimed or running task: it completes as failed with "task was cancelled". */
    public Task cancel(String guid) {
        return stub().cancelTask(CancelTaskRequest.newBuilder().setGuid(guid).build()).getTask();
    }

    /** One page of tasks; pass the page's {@code next_page_token} back for the next one. */
    public ListTasksResponse listPage(ListTasksRequest request) {
        return stub().listTasks(request);
    }

    /** Every task that matches the request's filters (state, domain, executor), all pages read at one revision. */
    public List<Task> list(ListTasksRequest filters) {
        List<Task> tasks = new ArrayList<>();
        ListTasksRequest request = filters.toBuilder().clearPageToken().build();
        while (true) {
            ListTasksResponse page = listPage(request);
            tasks.addAll(page.getTasksList());
            if (page.getNextPageToken().isEmpty()) {
                return tasks;
            }
            request = request.toBuilder().setPageToken(page.getNextPageToken()).build();
        }
    }

    /**
     * Takes responsibility for a completed task: exactly one caller wins, the others get {@code FAILED_PRECONDITION}.
     * {@link CompletionListener} does this for every completion; call it directly only to resolve by hand.
     */
    public Task resolving(String guid) {
        return stub().resolvingTask(ResolvingTaskRequest.newBuilder().setGuid(guid).build()).getTask();
    }

    /** Removes a task this caller moved to resolving. */
    public Task resolve(String guid) {
        return stub().resolveTask(ResolveTaskRequest.newBuilder().setGuid(guid).build()).getTask();
    }

    /**
     * Every task change after {@code afterRevision} (0: from now on), as a blocking iterator that ends when the
     * stream does; a {@code resync_required} message means the revision is gone and the caller must list again.
     * The iterator throws {@link StatusRuntimeException} when the stream breaks.
     */
    public Iterator<WatchTasksResponse> watch(long afterRevision) {
        return TaskServiceGrpc.newBlockingStub(channel).withWaitForReady()
                .watchTasks(WatchTasksRequest.newBuilder().setAfterRevision(afterRevision).build());
    }

    /**
     * Starts handling this domain's completions: see {@link CompletionListener}. Close the listener before the
     * client.
     */
    public CompletionListener listen(String domain, CompletionHandler handler) {
        return listen(domain, handler, ListenerSettings.defaults());
    }

    public CompletionListener listen(String domain, CompletionHandler handler, ListenerSettings settings) {
        return CompletionListener.start(this, domain, handler, settings);
    }

    /**
     * The connection to the BBS replicas, for calling Corkboard services beside the task API (such as
     * {@code corkboard.v1.ClusterService}) with the same replicas, load balancing and retries. It belongs to this
     * client and closes with it.
     */
    public Channel channel() {
        return channel;
    }

    /**
     * Calls wait for a replica to be reachable, up to the call timeout: while every replica is briefly away (a rolling
     * restart) a call is held rather than failed at once, and it fails with DEADLINE_EXCEEDED if none comes back.
     */
    private TaskServiceGrpc.TaskServiceBlockingStub stub() {
        return TaskServiceGrpc.newBlockingStub(channel).withWaitForReady()
                .withDeadlineAfter(callTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Closes the connection, waiting briefly for calls in flight. */
    @Override
    public void close() {
        channel.shutdown();
        try {
            if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
                channel.shutdownNow();
            }
        } catch (InterruptedException e) {
            channel.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
