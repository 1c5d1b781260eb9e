package dev.corkboard.bbs.callback;

import dev.corkboard.bbs.state.TaskError;
import dev.corkboard.bbs.state.TaskException;
import dev.corkboard.bbs.state.TaskLifecycle;
import dev.corkboard.bbs.state.TaskRequest;
import dev.corkboard.bbs.store.EtcdTaskStore;
import dev.corkboard.bbs.store.StoreSettings;
import dev.corkboard.proto.v1.Command;
import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskDefinition;
import dev.corkboard.proto.v1.TaskState;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.PutOption;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Task stores on a real etcd under a key prefix of this test's own, as BBS replicas would have them, plus the two
 * converger writes callbacks depend on (re-notify and demote), done the way the converger does them: one
 * compare-and-swap transaction that rewrites the record and moves its state index key.
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
        rewrite(guid, TaskState.RESOLVING);
    }

    /** The converger's re-notify of a Completed task: the record is rewritten as it is. */
    void renotify(String guid) {
        rewrite(guid, TaskState.COMPLETED);
    }

    private void rewrite(String guid, TaskState from) {
        ByteSequence key = bytes(settings.prefix() + "/tasks/" + guid);
        KeyValue stored = client().getKVClient().get(key).join().getKvs().get(0);
        Task task;
        try {
            task = Task.parseFrom(stored.getValue().getBytes());
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
        if (task.getState() != from) {
            throw new AssertionError("task " + guid + " is " + task.getState() + ", not " + from);
        }
        Task after = task.toBuilder().setState(TaskState.COMPLETED).setUpdatedAtMs(task.getUpdatedAtMs() + 1).build();
        List<Op> ops = new ArrayList<>();
        ops.add(Op.put(key, ByteSequence.from(after.toByteArray()), PutOption.DEFAULT));
        if (from != after.getState()) {
            ops.add(Op.delete(bytes(stateIndex(task)), DeleteOption.DEFAULT));
            ops.add(Op.put(bytes(stateIndex(after)), ByteSequence.EMPTY, PutOption.DEFAULT));
        }
        TxnResponse response = client().getKVClient().txn()
                .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.modRevision(stored.getModRevision())))
                .Then(ops.toArray(new Op[0]))
                .commit().join();
        if (!response.isSucceeded()) {
            throw new AssertionError("task " + guid + " changed while being rewritten");
        }
    }

    private String stateIndex(Task task) {
        return settings.prefix() + "/index/state/" + task.getState().name() + "/" + task.getDomain() + "/"
                + task.getGuid();
    }

    private Client client() {
        return clients.get(0);
    }

    private static ByteSequence bytes(String key) {
        return ByteSequence.from(key, StandardCharsets.UTF_8);
    }

    static <T> T join(java.util.concurrent.CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            Throwable cause = e;
            while (cause instanceof CompletionException && cause.getCause() != null) {
                cause = cause.getCause();
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw e;
        }
    }

    @Override
    public void close() {
        clients.forEach(Client::close);
    }
}
