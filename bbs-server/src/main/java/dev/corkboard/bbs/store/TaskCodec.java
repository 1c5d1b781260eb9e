package dev.corkboard.bbs.store;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.corkboard.bbs.state.TaskError;
import dev.corkboard.bbs.state.TaskException;
import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskState;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Task records in etcd are the protobuf bytes of {@link Task}. Anything else is a corrupt record. */
final class TaskCodec {

    private static final Logger log = LoggerFactory.getLogger(TaskCodec.class);

    private static final ByteSequence SEPARATOR = ByteSequence.from(new byte[] {'/'});

    private TaskCodec() {}

    /**
     * The record, or empty when it cannot be parsed; such a record is counted and logged, never fatal, so one bad
     * record cannot hide the others from a listing or a watch.
     */
    static Optional<Task> decodeOrSkip(KeyValue kv, StoreMetrics metrics) {
        try {
            return Optional.of(decode(kv));
        } catch (TaskException e) {
            metrics.unparseable();
            log.warn("skipping unparseable task record: {}", e.getMessage());
            return Optional.empty();
        }
    }

    static ByteSequence encode(Task task) {
        return ByteSequence.from(task.toByteArray());
    }

    /**
     * Parses a stored record and checks it is one this version can act on.
     *
     * @throws TaskException with {@link TaskError.CorruptRecord} when the bytes do not parse, the state is unknown,
     *     or the record's guid differs from its key
     */
    static Task decode(KeyValue kv) {
        Task task;
        try {
            // jetcd hands out a value only as a copy; that copy is the one parse reads
            task = Task.parseFrom(kv.getValue().getBytes());
        } catch (InvalidProtocolBufferException e) {
            throw corrupt(guidOf(kv), "not a task record (" + e.getMessage() + ")");
        }
        if (task.getState() == TaskState.TASK_STATE_UNSPECIFIED || task.getState() == TaskState.UNRECOGNIZED) {
            throw corrupt(guidOf(kv), "unknown state " + task.getStateValue());
        }
        if (task.getGuid().indexOf('/') >= 0 || !keyEndsWithGuid(kv.getKey(), task.getGuidBytes())) {
            throw corrupt(guidOf(kv), "record names guid '" + task.getGuid() + "'");
        }
        return task;
    }

    /**
     * Whether the key's last segment is exactly {@code guid}, compared as bytes: decoding every key read to a String
     * only to compare it showed in allocation profiles of the hot path.
     */
    private static boolean keyEndsWithGuid(ByteSequence key, ByteString guid) {
        int start = key.size() - guid.size();
        return start > 0 && key.substring(start - 1, start).equals(SEPARATOR)
                && key.substring(start).equals(ByteSequence.from(guid));
    }

    private static String guidOf(KeyValue kv) {
        return Keys.lastSegment(Keys.string(kv.getKey()));
    }

    private static TaskException corrupt(String guid, String problem) {
        return new TaskException(new TaskError.CorruptRecord(guid, problem));
    }
}
