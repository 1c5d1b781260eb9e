package dev.corkboard.bbs.store;

import dev.corkboard.bbs.state.Call;
import dev.corkboard.bbs.state.Decision;
import dev.corkboard.bbs.state.TaskError;
import dev.corkboard.bbs.state.TaskException;
import dev.corkboard.bbs.state.TaskLifecycle;
import dev.corkboard.bbs.state.TaskRequest;
import dev.corkboard.bbs.state.TaskValidation;
import dev.corkboard.bbs.store.StoreMetrics.Outcome;
import dev.corkboard.proto.v1.Task;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The task table on etcd. Each transition is one transaction that compares the task key's mod revision with the one
 * the decision was made on, writes the new record and moves its index keys; when the compare fails, the transaction's
 * else branch returns the current record and the request is decided again, so it is retried only while it is still
 * legal, and a caller that loses a race learns the winner's state.
 *
 * <p>The record a transition is first decided on is a guess: the record this store last wrote or read for the task
 * (see {@link KnownRecords}), "absent" for a desire, or else a serializable read (served by the nearest member
 * without a raft round trip). A wrong guess can only make the compare fail; a refusal or no-op decided on a guess is
 * confirmed with a linearizable read before it is reported. A task driven through one replica therefore costs one
 * transaction per transition and no reads.
 *
 * <p>Under load, transitions of different tasks share transactions ({@link StoreSettings#transitionBatch()}, see
 * {@link BatchedCommits}); each still completes with its own outcome, and a transition is re-decided only when its
 * own task moved on.
 *
 * <p>On connection loss every call fails within {@link StoreSettings#requestTimeout()} as
 * {@link TaskError.Unavailable}; the jetcd client reconnects by itself and later calls succeed. A write that timed
 * out may still have applied: every call is idempotent for the same actor, so retrying is safe.
 */
public final class EtcdTaskStore {

    private static final Logger log = LoggerFactory.getLogger(EtcdTaskStore.class);
    private static final GetOption SERIALIZABLE = GetOption.builder().withSerializable(true).build();

    private final Client client;
    private final KV kv;
    private final TaskLifecycle lifecycle;
    private final Clock clock;
    private final StoreSettings settings;
    private final Keys keys;
    private final StoreMetrics metrics;
    private final TaskListing listing;
    private final KnownRecords known;
    private final RecordOps ops;
    private final TaskRecords records;
    private final ConditionalWrites conditional;
    private final TransitionCommits commits;

    public EtcdTaskStore(Client client, TaskLifecycle lifecycle, Clock clock, StoreSettings settings,
            MeterRegistry registry) {
        this.client = client;
        this.kv = client.getKVClient();
        this.lifecycle = lifecycle;
        this.clock = clock;
        this.settings = settings;
        this.keys = new Keys(settings.prefix());
        this.metrics = new StoreMetrics(registry);
        this.listing = new TaskListing(kv, keys, settings, metrics);
        this.known = new KnownRecords(settings.knownRecords());
        this.ops = new RecordOps(keys);
        this.records = new TaskRecords(kv, keys, settings, metrics);
        this.conditional = new ConditionalWrites(kv, keys, lifecycle, clock, settings, metrics);
        this.commits = TransitionCommits.of(kv, settings, metrics);
    }

    /**
     * Applies one call. Completes with the task as the call left it (for resolve: the record as it was removed), or
     * exceptionally with a {@link TaskException} carrying the refusal.
     */
    public CompletableFuture<Task> apply(TaskRequest request) {
        return applyReporting(request).thenApply(Applied::task);
    }

    /**
     * Like {@link #apply}, and also says whether the call wrote the task or was a repeat that changed nothing, for
     * callers that count transitions (the server counts tasks started, succeeded and failed once each).
     */
    public CompletableFuture<Applied> applyReporting(TaskRequest request) {
        Optional<TaskError.InvalidRequest> invalid = TaskValidation.check(request);
        if (invalid.isPresent()) {
            metrics.transition(request.call(), Outcome.REFUSED);
            return CompletableFuture.failedFuture(new TaskException(invalid.get()));
        }
        return guess(request)
                .thenCompose(stored -> attempt(request, stored, true, 1))
                .whenComplete((applied, failure) -> settle(request, applied, failure));
    }

    /** The task, or {@link TaskError.NotFound}. */
    public CompletableFuture<Task> get(String guid) {
        Optional<TaskError.InvalidRequest> invalid = TaskValidation.identifier("guid", guid);
        if (invalid.isPresent()) {
            return CompletableFuture.failedFuture(new TaskException(invalid.get()));
        }
        return read(guid, false).thenApply(stored -> stored.task()
                .orElseThrow(() -> new TaskException(new TaskError.NotFound(guid))));
    }

    /** One page of tasks matching the filter; see {@link TaskListing}. */
    public CompletableFuture<TaskPage> list(TaskFilter filter, int pageSize, Optional<String> pageToken) {
        return listing.list(filter, pageSize, pageToken);
    }

    /**
     * Follows every change to the task table after {@code afterRevision}, or, given 0, every change after this call:
     * "now" is the etcd revision read before this method returns, so a write made after it is always seen. Events
     * reach {@code sink} in revision order on the watch's own thread; see {@link TaskWatch}.
     *
     * @throws TaskException with {@link TaskError.Unavailable} when, given 0, etcd does not say its revision in time
     */
    public TaskWatch watch(long afterRevision, TaskEventSink sink, int bufferCapacity) {
        long after = afterRevision == 0 ? EtcdFutures.join(revision()) : afterRevision;
        return TaskWatch.start(client.getWatchClient(), kv, keys, settings, metrics, after, sink, bufferCapacity);
    }

    /**
     * One page of a walk over every task record, readable or not, with mod revisions: start with
     * {@link RecordCursor#start()} and pass each page's {@link RecordPage#next()} until it is empty. Every page is read
     * at the first page's revision; once etcd compacts it, the walk fails with {@link TaskError.InvalidRequest} on
     * {@code cursor} and must start again.
     */
    public CompletableFuture<RecordPage> pageRecords(RecordCursor cursor, int pageSize) {
        return records.page(cursor, pageSize);
    }

    /**
     * Decides {@code request} on the record as {@code read} and writes the result in one transaction that also
     * compares the record's mod revision with {@code read}'s and checks {@code fence}. Never retries: if the record
     * moved on, the outcome is {@link ConditionalOutcome.Lost} and nothing changed; if the fence failed,
     * {@link ConditionalOutcome.Deposed} and nothing changed. Fails with {@link TaskError.Unavailable} when etcd does
     * not answer in time (the write may then have landed or not; the next pass reads which).
     *
     * @throws IllegalArgumentException if the request and the record name different tasks
     */
    public CompletableFuture<ConditionalOutcome> applyIfUnchanged(TaskRequest request, TaskRecord.Readable read,
            Fence fence) {
        known.forget(request.guid());
        return conditional.apply(request, read, fence);
    }

    /**
     * Deletes an unreadable record if it is still at the mod revision it was read at and {@code fence} holds; no
     * index key is touched (none can be known for it). Outcomes as for
     * {@link #applyIfUnchanged(TaskRequest, TaskRecord.Readable, Fence)}.
     */
    public CompletableFuture<ConditionalOutcome> pruneIfUnchanged(TaskRecord.Unreadable record, Fence fence) {
        known.forget(record.guid());
        return conditional.prune(record, fence);
    }

    /** The current etcd revision. */
    public CompletableFuture<Long> revision() {
        return bounded(kv.get(keys.task("-"), GetOption.builder().withCountOnly(true).build()))
                .thenApply(response -> response.getHeader().getRevision());
    }

    /** What the record probably is, cheapest first: the last one seen, "absent" for a desire, a serializable read. */
    private CompletableFuture<StoredTask> guess(TaskRequest request) {
        Optional<StoredTask> last = known.get(request.guid());
        if (last.isPresent()) {
            return CompletableFuture.completedFuture(last.get());
        }
        if (request.call() == Call.DESIRE) {
            return CompletableFuture.completedFuture(StoredTask.ABSENT);
        }
        return read(request.guid(), true);
    }

    private CompletableFuture<StoredTask> read(String guid, boolean serializable) {
        var response = serializable ? kv.get(keys.task(guid), SERIALIZABLE) : kv.get(keys.task(guid));
        return bounded(response).thenApply(r -> seen(guid, r.getKvs()));
    }

    /**
     * The task a call left, whether the call wrote it ({@code false} for a repeat that found the task already as the
     * call would leave it), and the etcd revision of the record as the call left it (the call's write, or the
     * write the repeat found).
     */
    public record Applied(Task task, boolean changed, long revision) {}

    private CompletableFuture<Applied> attempt(TaskRequest request, StoredTask stored, boolean stale, int attempt) {
        Decision decision = lifecycle.decide(stored.task(), request, clock.instant());
        if (decision instanceof Decision.Write write) {
            return commit(request, stored, write.task(), false, ops.write(stored.task(), write.task()), attempt);
        }
        if (decision instanceof Decision.Remove remove) {
            return commit(request, stored, remove.task(), true, ops.remove(remove.task()), attempt);
        }
        if (stale) {
            // never report a refusal or a no-op decided on a possibly stale read
            return read(request.guid(), false).thenCompose(fresh -> attempt(request, fresh, false, attempt));
        }
        if (decision instanceof Decision.Unchanged unchanged) {
            return CompletableFuture.completedFuture(new Applied(unchanged.task(), false, stored.modRevision()));
        }
        return CompletableFuture.failedFuture(new TaskException(((Decision.Refused) decision).error()));
    }

    private CompletableFuture<Applied> commit(TaskRequest request, StoredTask stored, Task result, boolean removes,
            List<Op> writes, int attempt) {
        var proposal = new TransitionCommits.Proposal(keys.task(request.guid()), stored.modRevision(), writes);
        return commits.commit(proposal).thenCompose(outcome -> {
            if (outcome instanceof TransitionCommits.Committed committed) {
                if (removes) {
                    known.forget(request.guid());
                } else {
                    // the transaction's revision is the one its put wrote the record at
                    known.remember(request.guid(), new StoredTask(Optional.of(result), committed.revision()));
                }
                return CompletableFuture.completedFuture(new Applied(result, true, committed.revision()));
            }
            metrics.conflict(request.call());
            if (attempt >= settings.maxAttempts()) {
                return CompletableFuture.failedFuture(new TaskException(new TaskError.Unavailable(
                        request.call().verb() + " of task " + request.guid() + " lost " + attempt
                                + " compare-and-swap races in a row")));
            }
            List<io.etcd.jetcd.KeyValue> current = ((TransitionCommits.Moved) outcome).current();
            return attempt(request, seen(request.guid(), current), false, attempt + 1);
        });
    }

    /** Decodes a record just read and remembers it; an unparseable one is counted and reported. */
    private StoredTask seen(String guid, List<io.etcd.jetcd.KeyValue> kvs) {
        try {
            StoredTask stored = StoredTask.of(kvs);
            known.remember(guid, stored);
            return stored;
        } catch (TaskException e) {
            known.forget(guid);
            metrics.unparseable();
            log.warn("unparseable task record: {}", e.getMessage());
            throw e;
        }
    }

    private <T> CompletableFuture<T> bounded(CompletableFuture<T> call) {
        return EtcdFutures.bounded(call, settings.requestTimeout());
    }

    /** Counts the call's outcome; after a failure that may have left etcd unknown, forgets the task's record. */
    private void settle(TaskRequest request, Applied applied, Throwable failure) {
        if (failure == null) {
            metrics.transition(request.call(), applied.changed() ? Outcome.APPLIED : Outcome.UNCHANGED);
            return;
        }
        Throwable cause = EtcdFutures.unwrap(failure);
        boolean refused = cause instanceof TaskException e && !(e.error() instanceof TaskError.Unavailable);
        if (!refused) {
            // a write that timed out may or may not have landed: guess nothing about this task
            known.forget(request.guid());
        }
        metrics.transition(request.call(), refused ? Outcome.REFUSED : Outcome.FAILED);
    }
}
