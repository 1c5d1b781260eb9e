package dev.corkboard.bbs.store;

import dev.corkboard.proto.v1.Task;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.PutOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The operations of one transition: the record and exactly the index keys it calls for move together. */
final class RecordOps {

    private final Keys keys;

    RecordOps(Keys keys) {
        this.keys = keys;
    }

    /** Put the record; delete the index keys it no longer calls for and put the ones it now does. */
    List<Op> write(Optional<Task> before, Task after) {
        List<Op> ops = new ArrayList<>(5);
        ops.add(Op.put(keys.task(after.getGuid()), TaskCodec.encode(after), PutOption.DEFAULT));
        List<ByteSequence> old = before.map(keys::indexKeysOf).orElseGet(List::of);
        List<ByteSequence> fresh = keys.indexKeysOf(after);
        for (ByteSequence key : old) {
            if (!fresh.contains(key)) {
                ops.add(Op.delete(key, DeleteOption.DEFAULT));
            }
        }
        for (ByteSequence key : fresh) {
            if (!old.contains(key)) {
                ops.add(Op.put(key, ByteSequence.EMPTY, PutOption.DEFAULT));
            }
        }
        return ops;
    }

    /** Delete the record and its index keys. */
    List<Op> remove(Task task) {
        List<Op> ops = new ArrayList<>(3);
        ops.add(Op.delete(keys.task(task.getGuid()), DeleteOption.DEFAULT));
        for (ByteSequence key : keys.indexKeysOf(task)) {
            ops.add(Op.delete(key, DeleteOption.DEFAULT));
        }
        return ops;
    }
}
