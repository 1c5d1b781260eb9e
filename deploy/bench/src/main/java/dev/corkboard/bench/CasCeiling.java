package dev.corkboard.bench;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The etcd ceiling: the cheapest transaction a task transition could ever be, a compare-and-swap on one key through
 * jetcd with no read before it. Each slot owns one key, so slots never contend and every compare should hold; the
 * slot remembers its key's mod revision from the header of the transaction that wrote it.
 */
final class CasCeiling implements ClosedLoop.Operation {

    /** Roughly what an encoded no-op task record weighs, so both phases move similar bytes per write. */
    private static final int VALUE_BYTES = 128;

    private final KV kv;
    private final ByteSequence[] keys;
    private final ByteSequence value;
    // 0 matches a key that does not exist yet, so a slot's first transaction creates its key
    private final AtomicLongArray modRevisions;

    CasCeiling(KV kv, String keyPrefix, int slots) {
        this.kv = kv;
        this.keys = new ByteSequence[slots];
        for (int slot = 0; slot < slots; slot++) {
            keys[slot] = ByteSequence.from(keyPrefix + slot, StandardCharsets.UTF_8);
        }
        byte[] filler = new byte[VALUE_BYTES];
        Arrays.fill(filler, (byte) 'x');
        this.value = ByteSequence.from(filler);
        this.modRevisions = new AtomicLongArray(slots);
    }

    @Override
    public CompletableFuture<Boolean> start(int slot) {
        ByteSequence key = keys[slot];
        return kv.txn()
                .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.modRevision(modRevisions.get(slot))))
                .Then(Op.put(key, value, PutOption.DEFAULT))
                .Else(Op.get(key, GetOption.DEFAULT))
                .commit()
                .thenApply(response -> {
                    if (response.isSucceeded()) {
                        // the transaction's revision is the revision its put wrote the key at
                        modRevisions.set(slot, response.getHeader().getRevision());
                        return true;
                    }
                    // only a foreign writer on our fresh prefix gets here; catch up so the next attempt can win
                    List<KeyValue> current = response.getGetResponses().get(0).getKvs();
                    modRevisions.set(slot, current.isEmpty() ? 0 : current.get(0).getModRevision());
                    return false;
                });
    }
}
