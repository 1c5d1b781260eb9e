package dev.corkboard.bbs.store;

import dev.corkboard.bbs.state.Decision;
import dev.corkboard.bbs.state.TaskError;
import dev.corkboard.bbs.state.TaskLifecycle;
import dev.corkboard.bbs.state.TaskRequest;
import dev.corkboard.bbs.state.TaskValidation;
import dev.corkboard.bbs.store.StoreMetrics.Outcome;
import dev.corkboard.proto.v1.Task;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Writes decided on a record read earlier, landing only if the record is still at the mod revision it was read at and
 * the writer's {@link Fence} still holds, in one transaction. There is no retry: a write that lost the race changes
 * nothing and says so ({@link ConditionalOutcome.Lost}), and the caller decides again on a fresh read later. When the
 * transaction fails, its else branch reads the fence, so a deposed writer learns it at once
 * ({@link ConditionalOutcome.Deposed}) instead of mistaking it for a lost race.
 */
final class ConditionalWrites {

    private final KV kv;
    private final Keys keys;
    private final TaskLifecycle lifecycle;
    private final Clock clock;
    private final StoreSettings settings;
    private final StoreMetrics metrics;
    private final RecordOps ops;

    ConditionalWrites(KV kv, Keys keys, TaskLifecycle lifecycle, Clock clock, StoreSettings settings,
            StoreMetrics metrics) {
        this.kv = kv;
        this.keys = keys;
        this.lifecycle = lifecycle;
        this.clock = clock;
        this.settings = settings;
        this.metrics = metrics;
        this.ops = new RecordOps(keys);
    }

    CompletableFuture<ConditionalOutcome> apply(TaskRequest request, TaskRecord.Readable read, Fence fence) {
        if (!request.guid().equals(read.guid())) {
            throw new IllegalArgumentException("request for task " + request.guid() + " on the record of " + read.guid());
        }
        Optional<TaskError.InvalidRequest> invalid = TaskValidation.check(request);
        Decision decision = invalid.isPresent() ? new Decision.Refused(invalid.get())
                : lifecycle.decide(Optional.of(read.task()), request, clock.instant());
        if (decision instanceof Decision.Unchanged unchanged) {
            metrics.transition(request.call(), Outcome.UNCHANGED);
            return CompletableFuture.completedFuture(new ConditionalOutcome.Unchanged(unchanged.task()));
        }
        if (decision instanceof Decision.Refused refused) {
            metrics.transition(request.call(), Outcome.REFUSED);
            return CompletableFuture.completedFuture(new ConditionalOutcome.Refused(refused.error()));
        }
        boolean removes = decision instanceof Decision.Remove;
        Task next = removes ? ((Decision.Remove) decision).task() : ((Decision.Write) decision).task();
        List<Op> writes = removes ? ops.remove(next) : ops.write(Optional.of(read.task()), next);
        ConditionalOutcome success = removes ? new ConditionalOutcome.Removed(Optional.of(next))
                : new ConditionalOutcome.Written(next);
        return commit(read.guid(), read.modRevision(), writes, fence, success)
                .whenComplete((outcome, failure) -> count(request, outcome, failure));
    }

    CompletableFuture<ConditionalOutcome> prune(TaskRecord.Unreadable record, Fence fence) {
        List<Op> delete = List.of(Op.delete(keys.task(record.guid()), DeleteOption.DEFAULT));
        return commit(record.guid(), record.modRevision(), delete, fence,
                new ConditionalOutcome.Removed(Optional.empty()));
    }

    private CompletableFuture<ConditionalOutcome> commit(String guid, long modRevision, List<Op> writes, Fence fence,
            ConditionalOutcome success) {
        ByteSequence key = keys.task(guid);
        List<Cmp> compares = new ArrayList<>(1 + fence.compares().size());
        compares.add(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.modRevision(modRevision)));
        compares.addAll(fence.compares());
        CompletableFuture<TxnResponse> txn = kv.txn()
                .If(compares.toArray(new Cmp[0]))
                .Then(writes.toArray(new Op[0]))
                .Else(fence.probes().toArray(new Op[0]))
                .commit();
        return EtcdFutures.bounded(txn, settings.requestTimeout()).thenApply(response -> {
            if (response.isSucceeded()) {
                return success;
            }
            List<List<KeyValue>> probed = new ArrayList<>();
            for (GetResponse get : response.getGetResponses()) {
                probed.add(get.getKvs());
            }
            return fence.heldIn(probed) ? new ConditionalOutcome.Lost() : new ConditionalOutcome.Deposed();
        });
    }

    private void count(TaskRequest request, ConditionalOutcome outcome, Throwable failure) {
        if (failure != null || outcome instanceof ConditionalOutcome.Deposed) {
            metrics.transition(request.call(), Outcome.FAILED);
        } else if (outcome instanceof ConditionalOutcome.Lost) {
            metrics.conflict(request.call());
        } else {
            metrics.transition(request.call(), Outcome.APPLIED);
        }
    }
}
