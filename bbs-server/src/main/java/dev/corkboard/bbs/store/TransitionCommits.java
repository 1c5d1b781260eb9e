package dev.corkboard.bbs.store;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.op.Op;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Writes decided transitions to etcd, each only if its task key is still at the mod revision the decision was made
 * on. One transition per transaction ({@link SingleCommits}), or concurrent transitions of different tasks together
 * ({@link BatchedCommits}); callers see the same outcomes either way.
 */
interface TransitionCommits {

    /**
     * The commit for these settings: batched when {@link StoreSettings#transitionBatch()} is above 1.
     */
    static TransitionCommits of(KV kv, StoreSettings settings, StoreMetrics metrics) {
        return settings.transitionBatch() > 1
                ? new BatchedCommits(kv, settings, metrics)
                : new SingleCommits(kv, settings);
    }

    /**
     * Writes {@code proposal.ops()} if the task key is at {@code proposal.expectedRevision()}. Completes with
     * {@link Committed} or {@link Moved}, or exceptionally with {@link dev.corkboard.bbs.state.TaskError.Unavailable}
     * when etcd fails or does not answer in time (the write may then have landed or not).
     */
    CompletableFuture<Outcome> commit(Proposal proposal);

    /**
     * One decided transition.
     *
     * @param key the task key
     * @param expectedRevision the mod revision the decision was made on (0: absent)
     * @param ops the record and index writes, none of them on another task's keys
     */
    record Proposal(ByteSequence key, long expectedRevision, List<Op> ops) {}

    /** What became of a proposal. */
    sealed interface Outcome {}

    /** Written; {@code revision} is the transaction's, the mod revision of every key it wrote. */
    record Committed(long revision) implements Outcome {}

    /** Not written: the task key had moved on; {@code current} is what it holds now (empty: absent). */
    record Moved(List<KeyValue> current) implements Outcome {}
}
