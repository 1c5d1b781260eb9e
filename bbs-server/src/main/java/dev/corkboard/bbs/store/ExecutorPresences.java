package dev.corkboard.bbs.store;

import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.OptionsUtil;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Reads which executors are present: an executor is present while its key {@code executors/<id>} exists. The key
 * lives on a lease its registration keeps alive, so etcd deletes it by itself when the executor (or its BBS replica)
 * stops heartbeating for the lease's TTL.
 *
 * <p>On connection loss a read fails within {@link StoreSettings#requestTimeout()} with
 * {@link dev.corkboard.bbs.state.TaskException} carrying {@link dev.corkboard.bbs.state.TaskError.Unavailable}; it
 * never answers "nobody is present" for a read it could not make.
 */
public final class ExecutorPresences {

    private final KV kv;
    private final Keys keys;
    private final StoreSettings settings;

    public ExecutorPresences(KV kv, StoreSettings settings) {
        this.kv = kv;
        this.keys = Keys.under(settings.prefix());
        this.settings = settings;
    }

    /**
     * The ids of the executors present at {@code revision} (0: now). Reading them at the revision a walk over the
     * task records reads at makes the two one snapshot: a task claimed before that revision has its executor's
     * presence in it, if the executor was present at all.
     */
    public CompletableFuture<Set<String>> present(long revision) {
        String prefix = keys.executorsPrefix();
        GetOption option = GetOption.builder()
                .withRange(OptionsUtil.prefixEndOf(Keys.bytes(prefix)))
                .withKeysOnly(true)
                .withRevision(revision)
                .build();
        return EtcdFutures.bounded(kv.get(Keys.bytes(prefix), option), settings.requestTimeout())
                .thenApply(response -> {
                    Set<String> ids = new HashSet<>();
                    for (KeyValue found : response.getKvs()) {
                        keys.executorIdOf(found.getKey()).ifPresent(ids::add);
                    }
                    return Set.copyOf(ids);
                });
    }
}
