package dev.corkboard.bbs.store;

import dev.corkboard.proto.v1.Task;
import io.etcd.jetcd.KeyValue;
import java.util.List;
import java.util.Optional;

/** A record as read, with the revision a transaction must compare against (0 when the key is absent). */
record StoredTask(Optional<Task> task, long modRevision) {

    static final StoredTask ABSENT = new StoredTask(Optional.empty(), 0);

    static StoredTask of(List<KeyValue> kvs) {
        if (kvs.isEmpty()) {
            return ABSENT;
        }
        KeyValue kv = kvs.get(0);
        return new StoredTask(Optional.of(TaskCodec.decode(kv)), kv.getModRevision());
    }
}
