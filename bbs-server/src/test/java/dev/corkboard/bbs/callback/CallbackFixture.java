package dev.corkboard.bbs.callback;

import dev.corkboard.bbs.state.TaskError;
import dev.corkboard.bbs.state.TaskException;
import dev.corkboard.bbs.state.TaskLifecycle;
import dev.corkboard.bbs.state.TaskRequest;
import dev.corkboard.bbs.store.EtcdFutures;
import dev.corkboard.bbs.store.EtcdTaskStore;
import dev.corkboard.bbs.store.StoreSettings;
import dev.corkboard.proto.v1.Command;
import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskDefinition;
import dev.corkboard.proto.v1.TaskState;
import io.etcd.jetcd.Client;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Task stores on a real etcd under a key prefix of this test's own, as BBS replicas would have them, plus the two
 * converger calls callbacks depend on (re-notify and demote).
 */
final class CallbackFixture implements AutoCloseable {

    static final String EXECUTOR = "cell-1";
    static final String ANNOTATION = "{\"app\":\"demo\"}";

    private final List<String> endpoints;
    private final StoreSettings settings;
    private final List<Client> clients = new CopyOnWriteArrayList<>();
    final EtcdTaskStore store;

    CallbackFixture(List<String> endpoints) {
        this(endpoints, Duration.ofSeconds(5));
    }

    /** With every store call bounded by {@code requestTimeout}, so tests with etcd stopped fail over quickly. */
    CallbackFixture(List<String> endpoints, Duration requestTimeout) {
        this.endpoints = List.copyOf(endpoints);
        this.settings = StoreSettings.defaults()
                .withPrefix("/callbacks-" + UUID.randomUUID().toString().substring(0, 8))
                .withRequestTimeout(requestTimeout);
        this.store = anotherReplica();
    }

    /** A store through a connection of its own, as another BBS replica would have. */
    EtcdTaskStore anotherReplica() {
        Client client = Client.builder().endpoints(endpoints.toArray(new String[0])).build();
        clients.add(client);
        return new EtcdTaskStore(client, new TaskLifecycle(), Clock.systemUTC(), settings, new SimpleMeterRegistry());
    }

    static TaskDefinition definition(Optional<String> callbackUrl) {
        TaskDefinition.Builder definition = TaskDefinition.newBuilder()
                .setCommand(Command.newBuilder().setPath("/bin/stage"))
                .setAnnotation(ANNOTATION);
        callbackUrl.ifPresent(definition::setCompletionCallbackUrl);
        return definition.build();
    }

    /** Desires, claims, starts and completes a task: it ends Completed, failed with {@code reason} if not empty. */
    Task complete(String guid, Optional<String> callbackUrl, String reason, String result) {
        join(store.apply(new TaskRequest.Desire(guid, "stager.example", definition(callbackUrl))));
        join(store.apply(new TaskRequest.Claim(guid, EXECUTOR)));
        join(store.apply(new TaskRequest.Start(guid, EXECUTOR, "container-" + guid)));
        return join(store.apply(new TaskRequest.Complete(guid, EXECUTOR, !reason.isEmpty(), reason, result)));
    }

    Task completeWithCallback(String guid, String callbackUrl) {
        return complete(guid, Optional.of(callbackUrl), "", "result of " + guid);
    }

    /** The task's state, or empty once it is removed. */
    Optional<TaskState> state(String guid) {
        try {
            return Optional.of(join(store.get(guid)).getState());
        } catch (TaskException e) {
            if (e.error() instanceof TaskError.NotFound) {
                return Optional.empty();
            }
            throw e;
        }
    }

    Task get(String guid) {
        return join(store.get(guid));
    }

    /** The converger's demotion of a stale Resolving task: Resolving → Completed. */
    void demote(String guid) {
        join(store.apply(new TaskRequest.DemoteResolving(guid)));
    }

    /** The converger's re-notify of a Completed task: the record is rewritten with only updated_at moved. */
    void renotify(String guid) {
        join(store.apply(new TaskRequest.Kick(guid)));
    }

    static <T> T join(java.util.concurrent.CompletableFuture<T> future) {
        return EtcdFutures.join(future);
    }

    @Override
    public void close() {
        clients.forEach(Client::close);
    }
}
