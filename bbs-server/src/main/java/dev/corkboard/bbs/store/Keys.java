package dev.corkboard.bbs.store;

import com.google.protobuf.ByteString;
import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskState;
import io.etcd.jetcd.ByteSequence;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The etcd layout under the prefix:
 * <pre>
 *   tasks/&lt;guid&gt;                               the task record (protobuf)
 *   index/state/&lt;STATE&gt;/&lt;domain&gt;/&lt;guid&gt;        empty; lists a state, or a state within a domain
 *   index/executor/&lt;executor id&gt;/&lt;guid&gt;       empty; lists an executor's tasks
 *   executors/&lt;executor id&gt;                   executor presence (ExecutorPresence protobuf), on the executor's lease
 *   election/converger                         the converger's election (etcd's election API puts one key per
 *                                              candidate under it)
 *   converger/status                           the converger leader's last pass (ConvergerStatus protobuf)
 * </pre>
 * Index keys are written in the same transaction as the record, so each task has exactly the index keys its
 * record's state, domain and executor call for. Guids, domains and executor ids cannot hold '/'.
 *
 * <p>Only the keys other components share are public: the executor presences, the converger's election and status.
 */
public final class Keys {

    private final String prefix;
    /*
     * The fixed heads of the keys every transition writes, kept as bytes: a key is its head followed by the encoded
     * guid, rather than a String built and encoded whole on every operation.
     */
    private final ByteSequence tasksPrefix;
    private final Map<TaskState, ByteSequence> stateIndexPrefixes = new EnumMap<>(TaskState.class);
    private final ByteSequence executorIndexesPrefix;

    Keys(String prefix) {
        this.prefix = prefix;
        this.tasksPrefix = bytes(prefix + "/tasks/");
        for (TaskState state : TaskState.values()) {
            stateIndexPrefixes.put(state, bytes(stateIndexPrefix(state)));
        }
        this.executorIndexesPrefix = bytes(prefix + "/index/executor/");
    }

    /** The layout under a prefix such as {@link StoreSettings#DEFAULT_PREFIX}. */
    public static Keys under(String prefix) {
        return new Keys(prefix);
    }

    /** The presence key of one executor. */
    public ByteSequence executor(String executorId) {
        return bytes(executorsPrefix() + executorId);
    }

    /** The prefix of every presence key; watch it to learn of executors arriving and leaving. */
    public String executorsPrefix() {
        return prefix + "/executors/";
    }

    /** The executor id a presence key names, or empty when the key is not a presence key. */
    public Optional<String> executorIdOf(ByteSequence key) {
        String text = string(key);
        if (!text.startsWith(executorsPrefix()) || text.length() == executorsPrefix().length()) {
            return Optional.empty();
        }
        return Optional.of(text.substring(executorsPrefix().length()));
    }

    /** The converger's election name (etcd's election API keeps candidate keys under it). */
    public ByteSequence convergerElection() {
        return bytes(prefix + "/election/converger");
    }

    /** Where the converger's leader writes the figures of its last pass. */
    public ByteSequence convergerStatus() {
        return bytes(prefix + "/converger/status");
    }

    ByteSequence task(String guid) {
        return tasksPrefix.concat(ByteString.copyFromUtf8(guid));
    }

    ByteSequence tasksPrefix() {
        return tasksPrefix;
    }

    String stateIndexPrefix(TaskState state) {
        return prefix + "/index/state/" + state.name() + "/";
    }

    String stateDomainIndexPrefix(TaskState state, String domain) {
        return stateIndexPrefix(state) + domain + "/";
    }

    String executorIndexPrefix(String executorId) {
        return prefix + "/index/executor/" + executorId + "/";
    }

    String indexPrefix() {
        return prefix + "/index/";
    }

    /** The index keys a record calls for. */
    List<ByteSequence> indexKeysOf(Task task) {
        List<ByteSequence> keys = new ArrayList<>(2);
        keys.add(stateIndexPrefixes.get(task.getState())
                .concat(ByteString.copyFromUtf8(task.getDomain() + "/" + task.getGuid())));
        if (!task.getExecutorId().isEmpty()) {
            keys.add(executorIndexesPrefix.concat(ByteString.copyFromUtf8(task.getExecutorId() + "/" + task.getGuid())));
        }
        return keys;
    }

    /** The guid at the end of a task or index key. */
    static String lastSegment(String key) {
        return key.substring(key.lastIndexOf('/') + 1);
    }

    static ByteSequence bytes(String key) {
        return ByteSequence.from(key, StandardCharsets.UTF_8);
    }

    static String string(ByteSequence key) {
        return key.toString(StandardCharsets.UTF_8);
    }
}
