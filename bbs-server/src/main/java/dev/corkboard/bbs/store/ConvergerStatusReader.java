package dev.corkboard.bbs.store;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.corkboard.bbs.state.TaskError;
import dev.corkboard.bbs.state.TaskException;
import dev.corkboard.proto.v1.ConvergerStatus;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Reads what the converger leaves in etcd for operators: the {@link ConvergerStatus} its leader writes after each pass
 * ({@link Keys#convergerStatus()}) and the current leader's id, which is the value of the oldest key in the election
 * ({@link Keys#convergerElection()}): etcd's election API gives each candidate a key {@code <election>/<lease id>}
 * holding its proposal (the converger's id), and the candidate whose key was created first leads.
 *
 * <p>Both are read in one transaction, so they describe the same revision. Every read is bounded by the store's
 * request timeout: when etcd is unreachable the future fails with {@link TaskError.Unavailable}.
 */
public final class ConvergerStatusReader {

    /**
     * What was read.
     *
     * @param status the leader's last status; empty before any pass completed
     * @param currentLeaderId the id of the converger that leads now; empty when none does
     * @param revision the etcd revision both were read at
     */
    public record View(Optional<ConvergerStatus> status, Optional<String> currentLeaderId, long revision) {}

    private final KV kv;
    private final StoreSettings settings;
    private final ByteSequence statusKey;
    private final ByteSequence candidatesPrefix;

    public ConvergerStatusReader(KV kv, StoreSettings settings) {
        this.kv = kv;
        this.settings = settings;
        Keys keys = Keys.under(settings.prefix());
        this.statusKey = keys.convergerStatus();
        // etcd's election keys are "<election name>/<lease id in hex>"
        this.candidatesPrefix = keys.convergerElection().concat(ByteSequence.from("/", StandardCharsets.UTF_8));
    }

    /** Reads the status and the current leader; fails with {@link TaskException} (unavailable, corrupt record). */
    public CompletableFuture<View> read() {
        GetOption oldestCandidate = GetOption.builder()
                .isPrefix(true)
                .withSortField(GetOption.SortTarget.CREATE)
                .withSortOrder(GetOption.SortOrder.ASCEND)
                .withLimit(1)
                .build();
        CompletableFuture<TxnResponse> call = kv.txn()
                .Then(Op.get(statusKey, GetOption.DEFAULT), Op.get(candidatesPrefix, oldestCandidate))
                .commit();
        return EtcdFutures.bounded(call, settings.requestTimeout()).thenApply(ConvergerStatusReader::view);
    }

    private static View view(TxnResponse response) {
        List<GetResponse> reads = response.getGetResponses();
        Optional<ConvergerStatus> status = first(reads.get(0)).map(ConvergerStatusReader::parse);
        Optional<String> leader = first(reads.get(1)).map(kv -> kv.getValue().toString(StandardCharsets.UTF_8));
        return new View(status, leader, response.getHeader().getRevision());
    }

    private static Optional<KeyValue> first(GetResponse read) {
        return read.getKvs().stream().findFirst();
    }

    private static ConvergerStatus parse(KeyValue kv) {
        try {
            return ConvergerStatus.parseFrom(kv.getValue().getBytes());
        } catch (InvalidProtocolBufferException e) {
            // reported as DATA_LOSS; the leader's next pass overwrites it
            throw new TaskException(new TaskError.CorruptRecord("converger/status", e.getMessage()), e);
        }
    }
}
