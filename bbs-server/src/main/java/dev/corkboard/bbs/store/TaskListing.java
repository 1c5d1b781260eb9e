package dev.corkboard.bbs.store;

import dev.corkboard.bbs.state.TaskError;
import dev.corkboard.bbs.state.TaskException;
import dev.corkboard.bbs.state.TaskValidation;
import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskState;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.OptionsUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lists tasks through the index keys, so a listing costs what it returns, not the size of the table.
 *
 * <p>The filter picks the key ranges: an executor's index; a state's index (narrowed to a domain when one is given);
 * a domain's slice of each state's index in lifecycle order; or, without filters, the task records themselves. Fields
 * the chosen index does not cover (the state and domain when listing an executor's tasks) are filtered after the
 * fetch, so such a page may hold fewer tasks than asked for; only an empty next-page token means the end.
 *
 * <p>The page token is opaque to callers: the revision of the first page and the last key served. Later pages read
 * at that revision, so a listing is one snapshot; once etcd has compacted that revision the token expires and the
 * listing must start again.
 */
final class TaskListing {

    private static final Logger log = LoggerFactory.getLogger(TaskListing.class);
    private static final TaskState[] LIFECYCLE = {TaskState.PENDING, TaskState.CLAIMED, TaskState.RUNNING,
        TaskState.COMPLETED, TaskState.RESOLVING};

    private final KV kv;
    private final Keys keys;
    private final StoreSettings settings;
    private final StoreMetrics metrics;

    TaskListing(KV kv, Keys keys, StoreSettings settings, StoreMetrics metrics) {
        this.kv = kv;
        this.keys = keys;
        this.settings = settings;
        this.metrics = metrics;
    }

    CompletableFuture<TaskPage> list(TaskFilter filter, int pageSize, Optional<String> pageToken) {
        try {
            validate(filter, pageSize);
            int limit = pageSize == 0 ? settings.defaultPageSize() : pageSize;
            List<String> ranges = ranges(filter);
            Cursor cursor = pageToken.isPresent() ? Cursor.decode(pageToken.get(), ranges) : Cursor.START;
            return page(filter, ranges, cursor, limit, new ArrayList<>(), cursor.revision());
        } catch (TaskException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private void validate(TaskFilter filter, int pageSize) {
        if (pageSize < 0 || pageSize > settings.maxPageSize()) {
            throw invalid("page_size", "must be between 0 and " + settings.maxPageSize() + ", was " + pageSize);
        }
        if (filter.state().isPresent()
                && (filter.state().get() == TaskState.TASK_STATE_UNSPECIFIED
                        || filter.state().get() == TaskState.UNRECOGNIZED)) {
            throw invalid("state", "must be one of PENDING, CLAIMED, RUNNING, COMPLETED, RESOLVING");
        }
        filter.domain().flatMap(TaskValidation::domain).ifPresent(problem -> {
            throw new TaskException(problem);
        });
        filter.executorId().flatMap(id -> TaskValidation.identifier("executor_id", id)).ifPresent(problem -> {
            throw new TaskException(problem);
        });
    }

    /** The key prefixes to walk, in order. */
    private List<String> ranges(TaskFilter filter) {
        if (filter.executorId().isPresent()) {
            return List.of(keys.executorIndexPrefix(filter.executorId().get()));
        }
        if (filter.state().isPresent()) {
            TaskState state = filter.state().get();
            return List.of(filter.domain().map(domain -> keys.stateDomainIndexPrefix(state, domain))
                    .orElseGet(() -> keys.stateIndexPrefix(state)));
        }
        if (filter.domain().isPresent()) {
            List<String> ranges = new ArrayList<>(LIFECYCLE.length);
            for (TaskState state : LIFECYCLE) {
                ranges.add(keys.stateDomainIndexPrefix(state, filter.domain().get()));
            }
            return ranges;
        }
        return List.of(Keys.string(keys.tasksPrefix()));
    }

    /** Fills a page from the cursor's range onwards, moving to the next range when one runs out. */
    private CompletableFuture<TaskPage> page(TaskFilter filter, List<String> ranges, Cursor cursor, int limit,
            List<Task> collected, long revision) {
        String prefix = ranges.get(cursor.range());
        ByteSequence from = Keys.bytes(cursor.afterKey().map(key -> key + '\0').orElse(prefix));
        GetOption.Builder option = GetOption.builder()
                .withRange(OptionsUtil.prefixEndOf(Keys.bytes(prefix)))
                .withLimit(limit - collected.size())
                .withRevision(revision);
        boolean indexed = !prefix.equals(Keys.string(keys.tasksPrefix()));
        if (indexed) {
            option.withKeysOnly(true);
        }
        return EtcdFutures.bounded(kv.get(from, option.build()), settings.requestTimeout())
                .exceptionallyCompose(failure -> expired(failure, revision))
                .thenCompose(response -> {
                    long readAt = response.getHeader().getRevision();
                    long snapshot = revision == 0 ? readAt : revision;
                    List<KeyValue> kvs = response.getKvs();
                    CompletableFuture<List<Task>> tasks = indexed ? fetch(kvs, snapshot)
                            : CompletableFuture.completedFuture(decodeAll(kvs));
                    return tasks.thenCompose(fetched -> {
                        for (Task task : fetched) {
                            if (matches(filter, task)) {
                                collected.add(task);
                            }
                        }
                        Optional<String> lastKey = kvs.isEmpty() ? cursor.afterKey()
                                : Optional.of(Keys.string(kvs.get(kvs.size() - 1).getKey()));
                        if (response.isMore()) {
                            // the range has more: this page is full (or filtered short)
                            return done(collected, new Cursor(snapshot, cursor.range(), lastKey), snapshot);
                        }
                        if (cursor.range() + 1 < ranges.size()) {
                            Cursor next = new Cursor(snapshot, cursor.range() + 1, Optional.empty());
                            return collected.size() < limit
                                    ? page(filter, ranges, next, limit, collected, snapshot)
                                    : done(collected, next, snapshot);
                        }
                        return CompletableFuture.completedFuture(new TaskPage(collected, Optional.empty(), snapshot));
                    });
                });
    }

    private static CompletableFuture<TaskPage> done(List<Task> tasks, Cursor next, long revision) {
        return CompletableFuture.completedFuture(new TaskPage(tasks, Optional.of(next.encode()), revision));
    }

    private CompletableFuture<GetResponse> expired(Throwable failure, long revision) {
        if (EtcdFutures.isCompacted(failure)) {
            return CompletableFuture.failedFuture(invalid("page_token",
                    "expired: revision " + revision + " was compacted; start the listing again"));
        }
        return CompletableFuture.failedFuture(failure);
    }

    /** Reads the records the index keys point at, at the same revision, in transactions of at most maxTxnOps. */
    private CompletableFuture<List<Task>> fetch(List<KeyValue> indexKeys, long revision) {
        GetOption atRevision = GetOption.builder().withRevision(revision).build();
        List<CompletableFuture<List<Task>>> batches = new ArrayList<>();
        for (int start = 0; start < indexKeys.size(); start += settings.maxTxnOps()) {
            List<KeyValue> batch = indexKeys.subList(start, Math.min(indexKeys.size(), start + settings.maxTxnOps()));
            Op[] gets = new Op[batch.size()];
            for (int i = 0; i < gets.length; i++) {
                gets[i] = Op.get(keys.task(Keys.lastSegment(Keys.string(batch.get(i).getKey()))), atRevision);
            }
            batches.add(EtcdFutures.bounded(kv.txn().Then(gets).commit(), settings.requestTimeout())
                    .thenApply(response -> {
                        List<KeyValue> records = new ArrayList<>(gets.length);
                        for (GetResponse get : response.getGetResponses()) {
                            if (get.getKvs().isEmpty()) {
                                // cannot happen while index keys move only with their records; say so if it does
                                log.error("index key without a task record at revision {}", revision);
                            }
                            records.addAll(get.getKvs());
                        }
                        return decodeAll(records);
                    }));
        }
        return CompletableFuture.allOf(batches.toArray(new CompletableFuture<?>[0])).thenApply(ignored -> {
            List<Task> all = new ArrayList<>(indexKeys.size());
            batches.forEach(batch -> all.addAll(batch.join()));
            return all;
        });
    }

    private List<Task> decodeAll(List<KeyValue> kvs) {
        List<Task> tasks = new ArrayList<>(kvs.size());
        for (KeyValue kv : kvs) {
            TaskCodec.decodeOrSkip(kv, metrics).ifPresent(tasks::add);
        }
        return tasks;
    }

    private static boolean matches(TaskFilter filter, Task task) {
        return filter.state().map(state -> task.getState() == state).orElse(true)
                && filter.domain().map(domain -> task.getDomain().equals(domain)).orElse(true)
                && filter.executorId().map(id -> task.getExecutorId().equals(id)).orElse(true);
    }

    private static TaskException invalid(String field, String problem) {
        return new TaskException(new TaskError.InvalidRequest(field, problem));
    }

    /** Where the next page starts: a revision (0 until the first page is read), a range and the last key served. */
    private record Cursor(long revision, int range, Optional<String> afterKey) {

        static final Cursor START = new Cursor(0, 0, Optional.empty());

        String encode() {
            String text = revision + "|" + range + "|" + afterKey.orElse("");
            return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
        }

        static Cursor decode(String token, List<String> ranges) {
            try {
                String text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
                String[] parts = text.split("\\|", 3);
                long revision = Long.parseLong(parts[0]);
                int range = Integer.parseInt(parts[1]);
                Optional<String> after = parts[2].isEmpty() ? Optional.empty() : Optional.of(parts[2]);
                boolean fits = revision > 0 && range >= 0 && range < ranges.size()
                        && after.map(key -> key.startsWith(ranges.get(range))).orElse(true);
                if (fits) {
                    return new Cursor(revision, range, after);
                }
            } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
                // reported below
            }
            throw invalid("page_token", "is not a token of this listing; pass next_page_token unchanged");
        }
    }
}
