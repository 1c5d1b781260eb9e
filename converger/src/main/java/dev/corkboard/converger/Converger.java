package dev.corkboard.converger;

import dev.corkboard.bbs.state.TaskLifecycle;
import dev.corkboard.bbs.store.EtcdTaskStore;
import dev.corkboard.bbs.store.ExecutorPresences;
import dev.corkboard.bbs.store.Keys;
import dev.corkboard.bbs.store.StoreSettings;
import dev.corkboard.proto.v1.ConvergerStatus;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The converger: several run, one leads (see {@link Leadership}), and the leader runs a {@link ConvergencePass} every
 * {@link ConvergerSettings#interval()}, at once when elected, and at once when an executor's presence key is deleted.
 * After each pass it writes a {@link ConvergerStatus} to {@code <prefix>/converger/status} with a fenced put. A pass
 * whose write is refused by the fence, or a status put refused by it, makes this converger step down at once.
 *
 * <pre>{@code
 * try (Converger converger = new Converger(client, ConvergerSettings.defaults(), StoreSettings.defaults(),
 *         registry, Clock.systemUTC(), "converger-" + hostname)) {
 *     converger.start();
 *     ... // until SIGTERM
 * }
 * }</pre>
 *
 * <p>On connection loss passes fail (counted as {@code failed}) until etcd answers again; leadership is lost once the
 * lease's TTL passes without a renewal, and another converger may lead. Missing an executor's departure while the
 * watch reconnects only delays its repair to the next interval.
 */
public final class Converger implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Converger.class);

    private final Client client;
    private final ConvergerSettings settings;
    private final Clock clock;
    private final String convergerId;
    private final ConvergerObserver observer;
    private final Keys keys;
    private final ConvergencePass pass;
    private final ConvergerMetrics metrics;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private final ReentrantLock passLock = new ReentrantLock();
    private final AtomicReference<Optional<ConvergerStatus>> lastStatus = new AtomicReference<>(Optional.empty());
    private final Thread loop;
    private boolean triggered;
    private volatile boolean closed;
    private volatile Leadership leadership;
    private volatile Watch.Watcher departures;

    public Converger(Client client, ConvergerSettings settings, StoreSettings store, MeterRegistry registry,
            Clock clock, String convergerId) {
        this(client, settings, store, registry, clock, convergerId, ConvergerObserver.NONE);
    }

    /** As {@link #Converger(Client, ConvergerSettings, StoreSettings, MeterRegistry, Clock, String)}, observed. */
    public Converger(Client client, ConvergerSettings settings, StoreSettings store, MeterRegistry registry,
            Clock clock, String convergerId, ConvergerObserver observer) {
        this.client = client;
        this.settings = settings;
        this.clock = clock;
        this.convergerId = convergerId;
        this.observer = observer;
        this.keys = Keys.under(store.prefix());
        // no remembered records: every repair is decided on the pass's own snapshot
        EtcdTaskStore tasks = new EtcdTaskStore(client, new TaskLifecycle(), clock, store.withKnownRecords(0),
                registry);
        this.pass = new ConvergencePass(tasks, new ExecutorPresences(client.getKVClient(), store), settings, clock,
                observer);
        this.metrics = new ConvergerMetrics(registry);
        this.loop = new Thread(this::loop, "converger-" + convergerId);
        this.loop.setDaemon(true);
    }

    /** Starts campaigning, watching executor presences, and running passes while leading. */
    public synchronized void start() {
        if (leadership != null || closed) {
            throw new IllegalStateException("converger " + convergerId + " was already started");
        }
        ByteSequence prefix = ByteSequence.from(keys.executorsPrefix(), StandardCharsets.UTF_8);
        departures = client.getWatchClient().watch(prefix,
                WatchOption.builder().isPrefix(true).withNoPut(true).build(),
                response -> {
                    if (response.getEvents().stream().anyMatch(e -> e.getEventType() == WatchEvent.EventType.DELETE)) {
                        trigger();
                    }
                },
                failure -> log.debug("presence watch interrupted, jetcd resumes it: {}", failure.toString()));
        leadership = Leadership.start(client, keys.convergerElection(), convergerId, settings.leaseTtl(), clock,
                new Leadership.Listener() {
                    @Override
                    public void elected(Leadership.Term term) {
                        metrics.leading(true);
                        observer.elected(term);
                        trigger();
                    }

                    @Override
                    public void deposed(Leadership.Term term, String reason) {
                        metrics.leading(false);
                        observer.deposed(term, reason);
                    }
                });
        loop.start();
    }

    /** Whether this converger leads, as far as it knows (its writes are fenced either way). */
    public boolean isLeader() {
        Leadership current = leadership;
        return current != null && current.current().isPresent();
    }

    /** This converger's id: its election proposal and the leader id of the status it writes. */
    public String id() {
        return convergerId;
    }

    /** The status this converger last wrote as leader. */
    public Optional<ConvergerStatus> lastStatus() {
        return lastStatus.get();
    }

    /**
     * Runs one pass now on the caller's thread if this converger leads, and writes its status; empty when it does not
     * lead. Passes never overlap: a call waits for a pass in progress.
     */
    public Optional<PassReport> runPass() {
        Leadership current = leadership;
        Optional<Leadership.Term> term = current == null ? Optional.empty() : current.current();
        if (term.isEmpty()) {
            return Optional.empty();
        }
        passLock.lock();
        try {
            PassReport report = pass.run(term.get().fence());
            metrics.passed(report);
            if (report.ending() instanceof PassReport.Ending.Deposed) {
                current.stepDown(term.get(), "a repair was refused by the fence");
            } else if (report.ending() instanceof PassReport.Ending.Completed) {
                writeStatus(current, term.get(), report);
            }
            return Optional.of(report);
        } finally {
            passLock.unlock();
        }
    }

    /** Runs a pass as soon as possible (if leading). */
    public void trigger() {
        lock.lock();
        try {
            triggered = true;
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void writeStatus(Leadership current, Leadership.Term term, PassReport report) {
        ConvergerStatus status = StatusRecord.of(convergerId, term, report);
        try {
            boolean landed = StatusRecord.putFenced(client.getKVClient(), keys.convergerStatus(), status,
                    term.fence());
            observer.statusWritten(landed);
            if (landed) {
                lastStatus.set(Optional.of(status));
            } else {
                current.stepDown(term, "the status write was refused by the fence");
            }
        } catch (RuntimeException e) {
            log.warn("could not write the converger status: {}", e.toString());
        }
    }

    private void loop() {
        // the first pass of a term is triggered by the election itself
        long nextDue = System.nanoTime() + settings.interval().toNanos();
        while (!closed) {
            try {
                if (!awaitTurn(nextDue)) {
                    return;
                }
                nextDue = System.nanoTime() + settings.interval().toNanos();
                runPass();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.error("converger pass failed", e);
            }
        }
    }

    /** Waits until leading and (triggered or due); false when closed. */
    private boolean awaitTurn(long nextDue) throws InterruptedException {
        lock.lock();
        try {
            while (!closed) {
                boolean due = triggered || System.nanoTime() - nextDue >= 0;
                if (due && isLeader()) {
                    triggered = false;
                    return true;
                }
                // leadership changes are not signalled here: poll them at a short period
                long wait = Math.min(Math.max(nextDue - System.nanoTime(), 0), TimeUnit.MILLISECONDS.toNanos(100));
                wake.awaitNanos(Math.max(wait, TimeUnit.MILLISECONDS.toNanos(1)));
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Resigns at once (revoking the election lease, so another converger leads without waiting a TTL), stops the
     * watch, and waits for a pass in progress to end; its remaining writes are refused by the fence.
     */
    @Override
    public void close() {
        closed = true;
        trigger();
        Leadership current = leadership;
        if (current != null) {
            current.close();
        }
        metrics.leading(false);
        Watch.Watcher watcher = departures;
        if (watcher != null) {
            watcher.close();
        }
        if (loop.isAlive()) {
            try {
                loop.join(settings.interval().toMillis() + 10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
