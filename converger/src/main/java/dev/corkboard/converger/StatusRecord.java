package dev.corkboard.converger;

import dev.corkboard.bbs.store.Fence;
import dev.corkboard.proto.v1.ConvergerStatus;
import dev.corkboard.proto.v1.TasksByState;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.PutOption;
import java.util.concurrent.TimeUnit;

/** The converger's status record and its fenced put. */
final class StatusRecord {

    private static final long TIMEOUT_SECONDS = 5;

    private StatusRecord() {}

    static ConvergerStatus of(String leaderId, Leadership.Term term, PassReport report) {
        PassReport.RepairCounts r = report.repairs();
        PassReport.TaskCounts t = report.tasks();
        return ConvergerStatus.newBuilder()
                .setLeaderId(leaderId)
                .setElectedAtMs(term.electedAt().toEpochMilli())
                .setLastPassStartedAtMs(report.startedAt().toEpochMilli())
                .setLastPassDurationMs(report.duration().toMillis())
                .setLastPassRevision(report.revision())
                .setKicked(r.kicked()).setDemoted(r.demoted()).setFailed(r.failed()).setExpired(r.expired())
                .setPruned(r.pruned()).setLost(r.lost()).setErrors(r.errors())
                .setTasks(TasksByState.newBuilder().setPending(t.pending()).setClaimed(t.claimed())
                        .setRunning(t.running()).setCompleted(t.completed()).setResolving(t.resolving())
                        .setUnreadable(t.unreadable()))
                .setPresentExecutors(report.presentExecutors())
                .build();
    }

    /** Puts the status if the fence holds; false when the fence refused it. */
    static boolean putFenced(KV kv, ByteSequence key, ConvergerStatus status, Fence fence) {
        try {
            return kv.txn()
                    .If(fence.compares().toArray(new Cmp[0]))
                    .Then(Op.put(key, ByteSequence.from(status.toByteArray()), PutOption.DEFAULT))
                    .commit()
                    .get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
                    .isSucceeded();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing the converger status", e);
        } catch (Exception e) {
            throw new IllegalStateException("converger status write failed: " + e, e);
        }
    }
}
