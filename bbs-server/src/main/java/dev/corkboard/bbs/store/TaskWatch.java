package dev.corkboard.bbs.store;

import dev.corkboard.bbs.state.TaskError;
import dev.corkboard.bbs.state.TaskException;
import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskChanged;
import dev.corkboard.proto.v1.TaskCreated;
import dev.corkboard.proto.v1.TaskEvent;
import dev.corkboard.proto.v1.TaskRemoved;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.OptionsUtil;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the task table and hands each change to a {@link TaskEventSink}, in revision order, exactly once.
 *
 * <p><b>Connection loss</b> (an etcd restart, a member going away): jetcd reports a non-terminal error and resumes the
 * etcd watch from the last revision it delivered; events at or below the last revision already handed over are
 * dropped, so a replay is never delivered twice. If jetcd ends the watch instead, it is started again from the last
 * revision seen.
 *
 * <p><b>Compaction</b>: when the revision to resume from is compacted away, the changes in between are gone from
 * etcd. The watch keeps the mod revision of every task it has reported, so it re-lists the table and reports the net
 * difference: tasks created, changed (without a before image, which no longer exists) and removed (naming only the
 * guid) since it last looked, all at the listing's revision; then it watches again from there. When the caller asks to
 * start after a revision that is already compacted, the watch cannot know what the caller had seen and ends with
 * {@link ResyncRequiredException}.
 *
 * <p><b>Slow consumers</b>: events wait in a buffer of fixed capacity; when a sink falls that far behind, the watch is
 * cut off with {@link SlowConsumerException} rather than growing memory.
 *
 * <p>The watch runs on its own thread, which also calls the sink. {@link #close()} stops it; the sink then hears
 * {@code onClosed(Optional.empty())}.
 */
public final class TaskWatch implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TaskWatch.class);
    private static final int SCAN_PAGE = 1000;
    private static final int RESYNC_ATTEMPTS = 10;

    /** Work for the delivery thread that is not an event. */
    private enum Signal { RESYNC, REWATCH }

    private record Stop(Optional<Throwable> cause) {}

    /**
     * An event for the sink. One transaction may change several tasks at one revision (see {@link BatchedCommits});
     * only the last event of a revision completes it, so that a consumer resuming after {@link #lastRevision()} never
     * skips the rest of a revision it saw only part of.
     */
    private record Delivery(TaskEvent event, boolean completesRevision) {}

    private final Watch watchClient;
    private final KV kv;
    private final Keys keys;
    private final StoreSettings settings;
    private final StoreMetrics metrics;
    private final TaskEventSink sink;
    private final int capacity;
    private final BlockingQueue<Object> queue;
    private final Thread thread;

    private final Object lock = new Object();
    /** guid → mod revision of every task the sink has been told exists. Guarded by lock. */
    private final Map<String, Long> known = new HashMap<>();
    /** Highest revision put in the buffer or handed over; replays at or below it are dropped. Guarded by lock. */
    private long bufferedRevision;
    /** Highest revision the sink has finished handling: what a consumer resumes after. */
    private volatile long deliveredRevision;
    /** Bumped whenever the etcd watcher is replaced, so callbacks of an old one are ignored. Guarded by lock. */
    private int generation;
    private Watch.Watcher watcher;
    private volatile Stop stop;

    private TaskWatch(Watch watchClient, KV kv, Keys keys, StoreSettings settings, StoreMetrics metrics,
            long afterRevision, TaskEventSink sink, int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("buffer capacity must be positive, was " + capacity);
        }
        if (afterRevision < 0) {
            throw new IllegalArgumentException("afterRevision must not be negative, was " + afterRevision);
        }
        this.watchClient = watchClient;
        this.kv = kv;
        this.keys = keys;
        this.settings = settings;
        this.metrics = metrics;
        this.sink = sink;
        this.capacity = capacity;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.thread = new Thread(() -> run(afterRevision), "corkboard-task-watch");
        this.thread.setDaemon(true);
    }

    static TaskWatch start(Watch watchClient, KV kv, Keys keys, StoreSettings settings, StoreMetrics metrics,
            long afterRevision, TaskEventSink sink, int capacity) {
        TaskWatch watch = new TaskWatch(watchClient, kv, keys, settings, metrics, afterRevision, sink, capacity);
        watch.thread.start();
        return watch;
    }

    /**
     * The revision the sink is up to date with: every change up to it has been handed over and handled, including
     * every task changed at that revision. A consumer that restarts, or is cut off, resumes after it.
     */
    public long lastRevision() {
        return deliveredRevision;
    }

    /** Stops the watch; the sink hears {@code onClosed(Optional.empty())} unless it already heard another end. */
    @Override
    public void close() {
        end(Optional.empty());
        if (Thread.currentThread() != thread) {
            try {
                thread.join(settings.requestTimeout().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run(long afterRevision) {
        Optional<Throwable> cause = Optional.empty();
        try {
            seed(afterRevision);
            while (stop == null) {
                Object item = queue.take();
                if (stop != null) {
                    break;
                }
                if (item instanceof Delivery delivery) {
                    sink.onEvent(delivery.event());
                    if (delivery.completesRevision()) {
                        deliveredRevision = delivery.event().getRevision();
                    }
                } else if (item == Signal.RESYNC) {
                    resync();
                } else if (item == Signal.REWATCH) {
                    watchFrom(bufferedRevision() + 1);
                }
            }
        } catch (InterruptedException e) {
            // close() interrupts a thread waiting for events
        } catch (Throwable failure) {
            cause = Optional.of(EtcdFutures.unwrap(failure));
            end(cause);
        } finally {
            cancelWatcher();
            Stop ended = stop;
            sink.onClosed(ended == null ? cause : ended.cause());
        }
    }

    private long bufferedRevision() {
        synchronized (lock) {
            return bufferedRevision;
        }
    }

    private void end(Optional<Throwable> cause) {
        synchronized (lock) {
            if (stop != null) {
                return;
            }
            stop = new Stop(cause);
            generation++;
        }
        thread.interrupt();
    }

    /** Learns which tasks existed at the starting revision, then watches from the revision after it. */
    private void seed(long afterRevision) {
        Map<String, Long> existing = new HashMap<>();
        long revision;
        try {
            revision = scan(afterRevision, true,
                    (at, kvs) -> kvs.forEach(kv -> existing.put(guidOf(kv), kv.getModRevision())));
        } catch (TaskException e) {
            if (EtcdFutures.isCompacted(e)) {
                throw new ResyncRequiredException(afterRevision);
            }
            throw e;
        }
        synchronized (lock) {
            known.putAll(existing);
            bufferedRevision = revision;
        }
        deliveredRevision = revision;
        watchFrom(revision + 1);
    }

    /**
     * Reports the net change since the last revision seen, after etcd compacted the changes in between away. A resync
     * that fails part way (etcd unreachable, or compacted again mid-listing) is run again: what it already reported is
     * in {@link #known}, so nothing is reported twice.
     */
    private void resync() throws InterruptedException {
        cancelWatcher();
        for (int attempt = 1; ; attempt++) {
            try {
                resyncOnce();
                return;
            } catch (TaskException e) {
                if (!(e.error() instanceof TaskError.Unavailable) || attempt == RESYNC_ATTEMPTS) {
                    throw e;
                }
                log.warn("task watch resync failed (attempt {} of {}), retrying: {}", attempt, RESYNC_ATTEMPTS,
                        e.getMessage());
                Thread.sleep(Math.min(100L << attempt, 2_000L));
            }
        }
    }

    private void resyncOnce() {
        Set<String> present = new HashSet<>();
        long snapshot = scan(0, false, (at, kvs) -> {
            for (KeyValue kv : kvs) {
                String guid = guidOf(kv);
                present.add(guid);
                Long seen;
                synchronized (lock) {
                    seen = known.put(guid, kv.getModRevision());
                }
                if (seen == null || seen != kv.getModRevision()) {
                    // resync events carry the listing's revision, so the sink never sees revisions go down
                    TaskEvent.Builder event = TaskEvent.newBuilder().setRevision(at);
                    decode(kv).ifPresent(task -> sink.onEvent(seen == null
                            ? event.setCreated(TaskCreated.newBuilder().setTask(task)).build()
                            : event.setChanged(TaskChanged.newBuilder().setAfter(task)).build()));
                }
            }
        });
        List<String> gone = new ArrayList<>();
        synchronized (lock) {
            for (Iterator<String> guids = known.keySet().iterator(); guids.hasNext(); ) {
                String guid = guids.next();
                if (!present.contains(guid)) {
                    guids.remove();
                    gone.add(guid);
                }
            }
            bufferedRevision = snapshot;
        }
        for (String guid : gone) {
            sink.onEvent(TaskEvent.newBuilder().setRevision(snapshot)
                    .setRemoved(TaskRemoved.newBuilder().setTask(Task.newBuilder().setGuid(guid))).build());
        }
        deliveredRevision = snapshot;
        watchFrom(snapshot + 1);
    }

    /** Reads every task key at {@code revision} (0: now), a page at a time; returns the revision read at. */
    private long scan(long revision, boolean keysOnly, BiConsumer<Long, List<KeyValue>> page) {
        ByteSequence prefix = keys.tasksPrefix();
        ByteSequence end = OptionsUtil.prefixEndOf(prefix);
        ByteSequence from = prefix;
        long at = revision;
        while (true) {
            GetOption option = GetOption.builder().withRange(end).withLimit(SCAN_PAGE).withRevision(at)
                    .withKeysOnly(keysOnly).build();
            GetResponse response = EtcdFutures.join(EtcdFutures.bounded(kv.get(from, option),
                    settings.requestTimeout()));
            if (at == 0) {
                at = response.getHeader().getRevision();
            }
            page.accept(at, response.getKvs());
            if (!response.isMore() || response.getKvs().isEmpty()) {
                return at;
            }
            KeyValue last = response.getKvs().get(response.getKvs().size() - 1);
            from = Keys.bytes(Keys.string(last.getKey()) + '\0');
        }
    }

    private void watchFrom(long revision) {
        WatchOption option = WatchOption.builder()
                .isPrefix(true)
                .withPrevKV(true)
                .withRevision(revision)
                .build();
        synchronized (lock) {
            if (stop != null) {
                return;
            }
            int current = ++generation;
            watcher = watchClient.watch(keys.tasksPrefix(), option, Watch.listener(
                    response -> onResponse(current, response),
                    failure -> onError(current, failure),
                    () -> onCompleted(current)));
        }
    }

    private void cancelWatcher() {
        Watch.Watcher old;
        synchronized (lock) {
            generation++;
            old = watcher;
            watcher = null;
        }
        if (old != null) {
            old.close();
        }
    }

    /**
     * Buffers the events of one etcd watch response. etcd never splits a revision's events across responses, so the
     * last event of each revision here is the last of that revision.
     */
    private void onResponse(int from, WatchResponse response) {
        synchronized (lock) {
            if (from != generation) {
                return;
            }
            long highest = bufferedRevision;
            List<TaskEvent> events = new ArrayList<>(response.getEvents().size());
            for (WatchEvent event : response.getEvents()) {
                long revision = event.getKeyValue().getModRevision();
                if (revision <= bufferedRevision) {
                    continue; // a replay after jetcd resumed: already handed over
                }
                highest = Math.max(highest, revision);
                map(event, revision).ifPresent(events::add);
            }
            for (int i = 0; i < events.size(); i++) {
                TaskEvent event = events.get(i);
                boolean completes = i == events.size() - 1 || events.get(i + 1).getRevision() != event.getRevision();
                if (!queue.offer(new Delivery(event, completes))) {
                    metrics.slowConsumerCutOff();
                    end(Optional.of(new SlowConsumerException(capacity)));
                    return;
                }
            }
            bufferedRevision = highest;
        }
    }

    /** Turns an etcd event into a task event and keeps {@link #known} in step. Called with the lock held. */
    private Optional<TaskEvent> map(WatchEvent event, long revision) {
        KeyValue kv = event.getKeyValue();
        String guid = guidOf(kv);
        TaskEvent.Builder out = TaskEvent.newBuilder().setRevision(revision);
        if (event.getEventType() == WatchEvent.EventType.DELETE) {
            known.remove(guid);
            Task before = prior(event).orElseGet(() -> Task.newBuilder().setGuid(guid).build());
            return Optional.of(out.setRemoved(TaskRemoved.newBuilder().setTask(before)).build());
        }
        known.put(guid, revision);
        Optional<Task> after = decode(kv);
        if (after.isEmpty()) {
            return Optional.empty();
        }
        if (kv.getVersion() == 1) {
            return Optional.of(out.setCreated(TaskCreated.newBuilder().setTask(after.get())).build());
        }
        TaskChanged.Builder changed = TaskChanged.newBuilder().setAfter(after.get());
        prior(event).ifPresent(changed::setBefore);
        return Optional.of(out.setChanged(changed).build());
    }

    private Optional<Task> prior(WatchEvent event) {
        KeyValue prev = event.getPrevKV();
        return prev == null || prev.getKey().isEmpty() ? Optional.empty() : decode(prev);
    }

    private void onError(int from, Throwable failure) {
        Throwable cause = EtcdFutures.unwrap(failure);
        synchronized (lock) {
            if (from != generation) {
                return;
            }
            if (EtcdFutures.isCompacted(cause)) {
                log.info("task watch fell behind compaction at revision {}; re-listing", bufferedRevision);
                generation++; // the onCompleted that follows is expected
                signal(Signal.RESYNC);
                return;
            }
        }
        // not terminal: jetcd resumes the watch from the last revision it delivered
        log.warn("task watch interrupted, resuming after revision {}: {}", bufferedRevision(), cause.toString());
    }

    private void onCompleted(int from) {
        synchronized (lock) {
            if (from != generation || stop != null) {
                return;
            }
            log.warn("etcd ended the task watch at revision {}; watching again", bufferedRevision);
            generation++;
            signal(Signal.REWATCH);
        }
    }

    private void signal(Signal signal) {
        if (!queue.offer(signal)) {
            metrics.slowConsumerCutOff();
            end(Optional.of(new SlowConsumerException(capacity)));
        }
    }

    private Optional<Task> decode(KeyValue kv) {
        return TaskCodec.decodeOrSkip(kv, metrics);
    }

    private static String guidOf(KeyValue kv) {
        return Keys.lastSegment(Keys.string(kv.getKey()));
    }
}
