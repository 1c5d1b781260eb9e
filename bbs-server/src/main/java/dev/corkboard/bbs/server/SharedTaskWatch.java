package dev.corkboard.bbs.server;

import dev.corkboard.bbs.store.EtcdFutures;
import dev.corkboard.bbs.store.EtcdTaskStore;
import dev.corkboard.bbs.store.SlowConsumerException;
import dev.corkboard.bbs.store.TaskEventSink;
import dev.corkboard.bbs.store.TaskWatch;
import dev.corkboard.proto.v1.TaskEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The one store {@link TaskWatch} of this replica that WatchTasks streams share: each change is read from etcd and
 * decoded once, then offered to every subscriber's {@link TaskRelay}. Without it every stream held an etcd watch, a
 * buffer and a decode of every record of its own, so the cost of a change grew with the number of stagers watching.
 *
 * <p><b>Joining without a gap or a duplicate.</b> The shared watch has handed over every event up to {@code current}
 * except that the events of {@code current} itself may be only partly handed over (one transaction can change several
 * tasks at one revision); everything up to {@code complete}, the revision before it, is. A subscriber asking for the
 * events after revision A joins under the same lock that hands events over:
 * <ul>
 *   <li>A &ge; current (or 0, "from now", taken as current): it joins and drops events at or below A;</li>
 *   <li>complete &le; A &lt; current: it is first given the events of {@code current} handed over so far, then
 *       joins;</li>
 *   <li>A &lt; complete: it cannot be served from here and follows the store on a watch of its own (catch-up), which
 *       also reports a compacted A as a private watch always did.</li>
 * </ul>
 *
 * <p><b>Slow subscribers</b> are cut off when their own buffer is full ({@link SlowConsumerException}, counted in
 * {@code corkboard.store.watch.cutoffs}) while the others go on. <b>Connection loss and compaction</b> are handled by
 * the shared store watch (see {@link TaskWatch}): a resume reaches every subscriber as nothing (replays are dropped),
 * a compaction as the same net-difference events at the listing's revision that a private watch reports. When the
 * shared watch ends with a failure, every subscriber ends with it (the caller resumes as before) and the next
 * subscriber starts a new shared watch, from etcd's revision at that moment.
 */
final class SharedTaskWatch implements AutoCloseable {

    /** The shared watch only decodes and offers, so its buffer just absorbs bursts; never smaller than this. */
    private static final int MIN_BUFFER = 1024;

    private final EtcdTaskStore store;
    private final int capacity;
    private final Duration closeWait;
    private final Counter cutoffs;
    private final Object lock = new Object();
    /** The shared watch running now, if any. Guarded by lock. */
    private Feed feed;
    private boolean closed;

    SharedTaskWatch(EtcdTaskStore store, int buffer, Duration closeWait, MeterRegistry registry) {
        this.store = store;
        this.capacity = Math.max(buffer, MIN_BUFFER);
        this.closeWait = closeWait;
        this.cutoffs = Counter.builder("corkboard.store.watch.cutoffs")
                .description("task watches cut off because their consumer fell a full buffer behind")
                .register(registry);
    }

    /**
     * Joins {@code sink} to the shared watch after {@code afterRevision} (0: from now) with a buffer of
     * {@code bufferCapacity} events, starting the shared watch if none runs. Empty when the shared watch has already
     * handed over events the sink asks for, or this replica is shutting down: the caller then watches on its own.
     *
     * @throws dev.corkboard.bbs.store.TaskException with {@code Unavailable} when starting the shared watch, etcd
     *     does not say its revision in time
     */
    Optional<TaskRelay> join(long afterRevision, TaskEventSink sink, int bufferCapacity) {
        synchronized (lock) {
            if (closed) {
                return Optional.empty();
            }
            if (feed == null) {
                Feed started = new Feed(EtcdFutures.join(store.revision()));
                started.watch = store.watch(started.current, started, capacity);
                feed = started;
            }
            return feed.admit(afterRevision, sink, bufferCapacity);
        }
    }

    /** Stops the shared watch; subscribers still joined end with it. */
    @Override
    public void close() {
        Feed stopping;
        synchronized (lock) {
            closed = true;
            stopping = feed;
            feed = null;
        }
        // outside the lock: the watch's thread may be waiting for it to hand over an event
        if (stopping != null) {
            stopping.watch.close();
        }
    }

    private void leave(TaskRelay relay) {
        synchronized (lock) {
            if (feed != null) {
                feed.relays.remove(relay);
            }
        }
    }

    /** One run of the shared store watch and the relays joined to it. Guarded by the outer lock. */
    private final class Feed implements TaskEventSink {

        private final Set<TaskRelay> relays = new LinkedHashSet<>();
        /** Events of {@link #current} handed over so far, while they fit a subscriber's buffer. */
        private final List<TaskEvent> atCurrent = new ArrayList<>();
        private boolean atCurrentTruncated;
        private long complete;
        private long current;
        private TaskWatch watch;

        Feed(long startRevision) {
            this.complete = startRevision;
            this.current = startRevision;
        }

        Optional<TaskRelay> admit(long afterRevision, TaskEventSink sink, int bufferCapacity) {
            List<TaskEvent> replay;
            if (afterRevision == 0 || afterRevision >= current) {
                replay = List.of();
            } else if (afterRevision >= complete && !atCurrentTruncated && atCurrent.size() <= bufferCapacity) {
                replay = atCurrent;
            } else {
                return Optional.empty();
            }
            TaskRelay relay = new TaskRelay(sink, afterRevision == 0 ? current : afterRevision, bufferCapacity,
                    SharedTaskWatch.this::leave, closeWait);
            replay.forEach(relay::offer);
            relays.add(relay);
            relay.start();
            return Optional.of(relay);
        }

        @Override
        public void onEvent(TaskEvent event) {
            synchronized (lock) {
                if (feed != this) {
                    return;
                }
                if (event.getRevision() > current) {
                    complete = current;
                    current = event.getRevision();
                    atCurrent.clear();
                    atCurrentTruncated = false;
                }
                if (atCurrent.size() < capacity) {
                    atCurrent.add(event);
                } else {
                    atCurrentTruncated = true;
                }
                for (Iterator<TaskRelay> each = relays.iterator(); each.hasNext(); ) {
                    TaskRelay relay = each.next();
                    if (!relay.offer(event)) {
                        each.remove();
                        cutoffs.increment();
                        relay.cutOff();
                    }
                }
            }
        }

        @Override
        public void onClosed(Optional<Throwable> cause) {
            List<TaskRelay> ending;
            synchronized (lock) {
                if (feed == this) {
                    feed = null;
                }
                ending = new ArrayList<>(relays);
                relays.clear();
            }
            ending.forEach(relay -> relay.end(cause));
        }
    }
}
