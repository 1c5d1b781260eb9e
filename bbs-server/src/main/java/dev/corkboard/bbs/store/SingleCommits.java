package dev.corkboard.bbs.store;

import io.etcd.jetcd.KV;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import java.util.concurrent.CompletableFuture;

/** One transaction per transition, as many in flight as callers make: the lowest latency when etcd is idle. */
final class SingleCommits implements TransitionCommits {

    private final KV kv;
    private final StoreSettings settings;

    SingleCommits(KV kv, StoreSettings settings) {
        this.kv = kv;
        this.settings = settings;
    }

    @Override
    public CompletableFuture<Outcome> commit(Proposal proposal) {
        var txn = kv.txn()
                .If(new Cmp(proposal.key(), Cmp.Op.EQUAL, CmpTarget.modRevision(proposal.expectedRevision())))
                .Then(proposal.ops().toArray(new Op[0]))
                .Else(Op.get(proposal.key(), GetOption.DEFAULT))
                .commit();
        return EtcdFutures.bounded(txn, settings.requestTimeout()).thenApply(response -> response.isSucceeded()
                ? new Committed(response.getHeader().getRevision())
                : new Moved(response.getGetResponses().get(0).getKvs()));
    }
}
