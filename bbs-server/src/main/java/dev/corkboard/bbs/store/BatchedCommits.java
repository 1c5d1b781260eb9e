package dev.corkboard.bbs.store;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Commits concurrent transitions of different tasks together: one etcd transaction whose compare holds every task
 * key's expected mod revision, whose then branch holds all their writes and whose else branch reads every task key.
 * A lifecycle of six writes then costs a fraction of six transactions under load.
 *
 * <p><b>No timers</b>: at most {@link StoreSettings#batchesInFlight()} transactions are in flight. A proposal that
 * arrives while fewer are leaves at once, alone if it is alone, so a quiet store adds no latency; proposals that
 * arrive while all are in flight wait, and each answered transaction makes room for the next one, which takes as many
 * waiting proposals as fit, oldest first.
 *
 * <p><b>What fits</b>: at most {@link StoreSettings#transitionBatch()} proposals; at most one per task key (etcd
 * refuses a transaction naming a key twice, so a second proposal for a task waits for a later transaction); and within
 * etcd's {@code --max-txn-ops} ({@link StoreSettings#maxTxnOps()}), which bounds each of the compare, then and else
 * lists: a proposal adds one compare, one read and all its writes. A proposal that alone exceeds it goes alone.
 *
 * <p><b>A failed compare</b> applies nothing. The else branch has read every key at the transaction's revision: a
 * proposal whose key still is where its decision expected was innocent and waits again at the head of the line, at
 * no cost to its caller's attempts; the others complete as {@link Moved} with what their key holds now. At least one
 * key moved, or the compare would have held, so every failed transaction settles a proposal.
 *
 * <p><b>etcd failure or timeout</b>: every proposal of the transaction fails with
 * {@link dev.corkboard.bbs.state.TaskError.Unavailable}, as it would have alone.
 */
final class BatchedCommits implements TransitionCommits {

    private record Waiting(Proposal proposal, CompletableFuture<Outcome> result) {}

    private final KV kv;
    private final StoreSettings settings;
    private final StoreMetrics metrics;
    private final int batchLimit;

    private final Object lock = new Object();
    /** Proposals not sent yet, oldest first. Guarded by lock. */
    private final Deque<Waiting> waiting = new ArrayDeque<>();
    /** Transactions sent and not answered yet. Guarded by lock. */
    private int inFlight;

    BatchedCommits(KV kv, StoreSettings settings, StoreMetrics metrics) {
        this.kv = kv;
        this.settings = settings;
        this.metrics = metrics;
        this.batchLimit = Math.min(settings.transitionBatch(), settings.maxTxnOps());
    }

    @Override
    public CompletableFuture<Outcome> commit(Proposal proposal) {
        Waiting entry = new Waiting(proposal, new CompletableFuture<>());
        synchronized (lock) {
            waiting.addLast(entry);
        }
        sendWhatMay();
        return entry.result();
    }

    /** Sends waiting proposals while fewer than the allowed transactions are in flight. */
    private void sendWhatMay() {
        List<List<Waiting>> batches = new ArrayList<>();
        synchronized (lock) {
            while (inFlight < settings.batchesInFlight() && !waiting.isEmpty()) {
                batches.add(takeBatch());
                inFlight++;
            }
        }
        batches.forEach(this::send);
    }

    /** Takes the oldest waiting proposals that fit one transaction. Lock held. */
    private List<Waiting> takeBatch() {
        List<Waiting> batch = new ArrayList<>();
        Set<ByteSequence> keys = new HashSet<>();
        int writes = 0;
        for (Iterator<Waiting> entries = waiting.iterator(); entries.hasNext() && batch.size() < batchLimit; ) {
            Waiting next = entries.next();
            if (keys.contains(next.proposal().key())) {
                continue; // the same task twice: the later one waits for another transaction
            }
            int ops = next.proposal().ops().size();
            if (!batch.isEmpty() && writes + ops > settings.maxTxnOps()) {
                break;
            }
            entries.remove();
            keys.add(next.proposal().key());
            batch.add(next);
            writes += ops;
        }
        return batch;
    }

    private void send(List<Waiting> batch) {
        metrics.batchSent(batch.size());
        List<Cmp> compares = new ArrayList<>(batch.size());
        List<Op> writes = new ArrayList<>();
        List<Op> reads = new ArrayList<>(batch.size());
        for (Waiting entry : batch) {
            Proposal proposal = entry.proposal();
            compares.add(new Cmp(proposal.key(), Cmp.Op.EQUAL, CmpTarget.modRevision(proposal.expectedRevision())));
            writes.addAll(proposal.ops());
            reads.add(Op.get(proposal.key(), GetOption.DEFAULT));
        }
        var txn = kv.txn()
                .If(compares.toArray(new Cmp[0]))
                .Then(writes.toArray(new Op[0]))
                .Else(reads.toArray(new Op[0]))
                .commit();
        EtcdFutures.bounded(txn, settings.requestTimeout()).whenComplete((response, failure) -> {
            List<Waiting> innocent;
            try {
                innocent = failure == null ? settle(batch, response) : fail(batch, failure);
            } catch (RuntimeException e) {
                // an answer we cannot read fails what it left open, and the slot is freed all the same
                innocent = fail(batch, EtcdFutures.translate(e, settings.requestTimeout()));
            }
            synchronized (lock) {
                inFlight--;
                for (int i = innocent.size() - 1; i >= 0; i--) {
                    waiting.addFirst(innocent.get(i));
                }
            }
            sendWhatMay();
        });
    }

    /** Completes every proposal the answer settles; returns the innocent ones, to be sent again. */
    private List<Waiting> settle(List<Waiting> batch, TxnResponse response) {
        if (response.isSucceeded()) {
            Committed committed = new Committed(response.getHeader().getRevision());
            batch.forEach(entry -> entry.result().complete(committed));
            return List.of();
        }
        metrics.batchConflict();
        List<Waiting> innocent = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            Waiting entry = batch.get(i);
            List<KeyValue> current = response.getGetResponses().get(i).getKvs();
            long revision = current.isEmpty() ? 0 : current.get(0).getModRevision();
            if (revision == entry.proposal().expectedRevision()) {
                innocent.add(entry);
            } else {
                entry.result().complete(new Moved(current));
            }
        }
        metrics.batchResubmitted(innocent.size());
        return innocent;
    }

    /** Fails every proposal of the batch not settled yet. */
    private static List<Waiting> fail(List<Waiting> batch, Throwable failure) {
        batch.forEach(entry -> entry.result().completeExceptionally(failure));
        return List.of();
    }
}
