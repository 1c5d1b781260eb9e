package dev.corkboard.bench;

import dev.corkboard.bbs.state.TaskRequest;
import dev.corkboard.bbs.store.EtcdTaskStore;
import dev.corkboard.proto.v1.Command;
import dev.corkboard.proto.v1.TaskDefinition;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One task from desire to resolve through the store, as a stager and an executor would drive it, with a no-op
 * payload: desire → claim → start → complete → resolving → resolve. Each call is one etcd transaction, so a lifecycle
 * costs {@link #WRITES} writes. Calls are chained on completion; nothing waits on a thread.
 */
final class FullLifecycle implements ClosedLoop.Operation {

    static final int WRITES = 6;

    private static final String DOMAIN = "bench";
    private static final TaskDefinition NO_OP = TaskDefinition.newBuilder()
            .setCommand(Command.newBuilder().setPath("/bin/true"))
            .build();

    private final EtcdTaskStore store;
    private final AtomicLong tasks = new AtomicLong();

    FullLifecycle(EtcdTaskStore store) {
        this.store = store;
    }

    @Override
    public CompletableFuture<Boolean> start(int slot) {
        // guids only need to be unique within the run: the run's key prefix is fresh
        String guid = "task-" + tasks.incrementAndGet();
        // one executor per slot, as if each in-flight task ran on its own host
        String executor = "executor-" + slot;
        return store.apply(new TaskRequest.Desire(guid, DOMAIN, NO_OP))
                .thenCompose(pending -> store.apply(new TaskRequest.Claim(guid, executor)))
                .thenCompose(claimed -> store.apply(new TaskRequest.Start(guid, executor, "container-" + guid)))
                .thenCompose(running -> store.apply(new TaskRequest.Complete(guid, executor, false, "", "")))
                .thenCompose(completed -> store.apply(new TaskRequest.Resolving(guid)))
                .thenCompose(resolving -> store.apply(new TaskRequest.Resolve(guid)))
                .thenApply(removed -> true);
    }
}
