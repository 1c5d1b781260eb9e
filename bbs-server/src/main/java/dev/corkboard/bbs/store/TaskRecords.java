package dev.corkboard.bbs.store;

import dev.corkboard.bbs.state.TaskError;
import dev.corkboard.bbs.state.TaskException;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.common.exception.ErrorCode;
import io.etcd.jetcd.common.exception.EtcdException;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.OptionsUtil;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Walks every record under {@code tasks/} page by page at one revision, reporting unreadable records instead of
 * skipping them. Memory is bounded by one page, whatever the size of the table.
 *
 * <p>A page whose records together exceed the client's largest inbound message (gRPC's default is 4 MiB; definitions
 * may be 256 KiB each) is asked for again with half as many records, down to one, so large records slow a walk down
 * instead of stopping it. A shorter page than asked for with more to come tells the caller to ask for less.
 */
final class TaskRecords {

    private final KV kv;
    private final Keys keys;
    private final StoreSettings settings;
    private final StoreMetrics metrics;

    TaskRecords(KV kv, Keys keys, StoreSettings settings, StoreMetrics metrics) {
        this.kv = kv;
        this.keys = keys;
        this.settings = settings;
        this.metrics = metrics;
    }

    CompletableFuture<RecordPage> page(RecordCursor cursor, int pageSize) {
        if (pageSize <= 0) {
            return CompletableFuture.failedFuture(new TaskException(new TaskError.InvalidRequest("page_size",
                    "must be positive, was " + pageSize)));
        }
        return read(cursor, pageSize).exceptionallyCompose(failure -> pageSize > 1 && tooLarge(failure)
                ? page(cursor, pageSize / 2)
                : CompletableFuture.failedFuture(failure));
    }

    private CompletableFuture<RecordPage> read(RecordCursor cursor, int pageSize) {
        ByteSequence prefix = keys.tasksPrefix();
        ByteSequence from = cursor.afterGuid().map(guid -> Keys.bytes(Keys.string(keys.task(guid)) + '\0'))
                .orElse(prefix);
        GetOption option = GetOption.builder()
                .withRange(OptionsUtil.prefixEndOf(prefix))
                .withLimit(pageSize)
                .withRevision(cursor.revision())
                .build();
        return EtcdFutures.bounded(kv.get(from, option), settings.requestTimeout())
                .exceptionallyCompose(failure -> CompletableFuture.failedFuture(expired(failure, cursor)))
                .thenApply(response -> {
                    long revision = cursor.revision() == 0 ? response.getHeader().getRevision() : cursor.revision();
                    List<TaskRecord> records = new ArrayList<>(response.getKvs().size());
                    for (KeyValue record : response.getKvs()) {
                        records.add(classify(record));
                    }
                    Optional<RecordCursor> next = response.isMore() && !records.isEmpty()
                            ? Optional.of(new RecordCursor(revision,
                                    Optional.of(records.get(records.size() - 1).guid())))
                            : Optional.empty();
                    return new RecordPage(records, revision, next);
                });
    }

    private TaskRecord classify(KeyValue record) {
        try {
            return new TaskRecord.Readable(TaskCodec.decode(record), record.getModRevision());
        } catch (TaskException e) {
            metrics.unparseable();
            String problem = e.error() instanceof TaskError.CorruptRecord corrupt ? corrupt.problem() : e.getMessage();
            return new TaskRecord.Unreadable(Keys.lastSegment(Keys.string(record.getKey())), record.getModRevision(),
                    problem);
        }
    }

    /** Whether the response was refused for its size (gRPC RESOURCE_EXHAUSTED), however jetcd wrapped it. */
    private static boolean tooLarge(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof EtcdException etcd && etcd.getErrorCode() == ErrorCode.RESOURCE_EXHAUSTED) {
                return true;
            }
            if (cause instanceof StatusRuntimeException status
                    && status.getStatus().getCode() == Status.Code.RESOURCE_EXHAUSTED) {
                return true;
            }
        }
        return false;
    }

    private static Throwable expired(Throwable failure, RecordCursor cursor) {
        if (EtcdFutures.isCompacted(failure)) {
            return new TaskException(new TaskError.InvalidRequest("cursor",
                    "expired: revision " + cursor.revision() + " was compacted; start the walk again"), failure);
        }
        return EtcdFutures.translate(failure, Duration.ZERO);
    }
}
