package dev.corkboard.converger;

import dev.corkboard.bbs.store.ConditionalOutcome;
import dev.corkboard.bbs.store.EtcdTaskStore;
import dev.corkboard.bbs.store.ExecutorPresences;
import dev.corkboard.bbs.store.Fence;
import dev.corkboard.bbs.store.RecordCursor;
import dev.corkboard.bbs.store.RecordPage;
import dev.corkboard.bbs.store.TaskRecord;
import dev.corkboard.converger.rules.ConvergenceRules;
import dev.corkboard.converger.rules.Repair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One converger pass: walk every task record page by page at one snapshot revision, read the executors present at
 * that same revision, decide each page's repairs with {@link ConvergenceRules} and send them as conditional, fenced
 * writes, at most {@code maxWritesInFlight} at a time. Memory holds one page and the writes in flight, whatever the
 * size of the table.
 *
 * <p>Reading presences at the snapshot's revision makes the two agree: a task claimed before that revision by an
 * executor present then is never failed for a presence registered "too late". Each write lands only if its task is
 * still at the snapshot's mod revision, so a pass racing a real transition changes nothing for that task.
 *
 * <p>The first write refused by the fence stops the pass: nothing more is sent, the writes in flight are awaited (the
 * fence refuses them too), and the pass ends {@link PassReport.Ending.Deposed}. If etcd cannot be read the pass ends
 * {@link PassReport.Ending.Failed}; a write etcd did not answer in time counts as an error and the pass goes on.
 */
public final class ConvergencePass {

    private static final Logger log = LoggerFactory.getLogger(ConvergencePass.class);

    private final EtcdTaskStore store;
    private final ExecutorPresences presences;
    private final ConvergenceRules rules;
    private final ConvergerSettings settings;
    private final Clock clock;
    private final ConvergerObserver observer;

    public ConvergencePass(EtcdTaskStore store, ExecutorPresences presences, ConvergerSettings settings, Clock clock,
            ConvergerObserver observer) {
        this.store = store;
        this.presences = presences;
        this.rules = new ConvergenceRules(settings);
        this.settings = settings;
        this.clock = clock;
        this.observer = observer;
    }

    /** Runs one pass with every write carrying {@code fence}; blocks until it ends. */
    public PassReport run(Fence fence) {
        Instant startedAt = clock.instant();
        long started = System.nanoTime();
        PassTally tally = new PassTally();
        Semaphore inFlight = new Semaphore(settings.maxWritesInFlight());
        AtomicBoolean deposed = new AtomicBoolean();
        long revision = 0;
        int present = 0;
        PassReport.Ending ending;
        try {
            int pageSize = settings.pageSize();
            RecordPage page = store.pageRecords(RecordCursor.start(), pageSize).join();
            revision = page.revision();
            Set<String> executors = presences.present(revision).join();
            present = executors.size();
            while (true) {
                tally.count(page.records());
                send(rules.decide(page.records(), executors, clock.instant()), fence, tally, inFlight, deposed);
                Optional<RecordCursor> next = page.next();
                if (deposed.get() || next.isEmpty()) {
                    break;
                }
                // a short page with more to come was shrunk to fit the client's message limit: keep to that size
                pageSize = Math.max(1, Math.min(pageSize, page.records().size()));
                page = store.pageRecords(next.get(), pageSize).join();
            }
            ending = new PassReport.Ending.Completed();
        } catch (CompletionException e) {
            log.warn("pass at revision {} could not read etcd: {}", revision, e.getCause().getMessage());
            ending = new PassReport.Ending.Failed(String.valueOf(e.getCause().getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ending = new PassReport.Ending.Failed("interrupted");
        }
        inFlight.acquireUninterruptibly(settings.maxWritesInFlight());
        if (deposed.get()) {
            ending = new PassReport.Ending.Deposed();
        }
        PassReport report = new PassReport(ending, revision, startedAt,
                Duration.ofNanos(System.nanoTime() - started), tally.repairs(), tally.tasks(), present);
        observer.passed(report);
        return report;
    }

    private void send(List<Repair> repairs, Fence fence, PassTally tally, Semaphore inFlight, AtomicBoolean deposed)
            throws InterruptedException {
        if (repairs.isEmpty()) {
            return;
        }
        observer.decided(repairs);
        for (Repair repair : repairs) {
            inFlight.acquire();
            if (deposed.get()) {
                inFlight.release();
                return;
            }
            write(repair, fence).whenComplete((outcome, failure) -> {
                try {
                    settle(repair, outcome, failure, tally, deposed);
                } finally {
                    inFlight.release();
                }
            });
        }
    }

    private CompletableFuture<ConditionalOutcome> write(Repair repair, Fence fence) {
        if (repair.record() instanceof TaskRecord.Unreadable unreadable) {
            return store.pruneIfUnchanged(unreadable, fence);
        }
        return store.applyIfUnchanged(repair.request().orElseThrow(), (TaskRecord.Readable) repair.record(), fence);
    }

    private void settle(Repair repair, ConditionalOutcome outcome, Throwable failure, PassTally tally,
            AtomicBoolean deposed) {
        MDC.put("task_guid", repair.guid());
        try {
            if (failure != null) {
                tally.error();
                log.warn("{} got no answer in time: {}", describe(repair), failure.getMessage());
                observer.repairFailed(repair, failure);
                return;
            }
            if (outcome instanceof ConditionalOutcome.Deposed) {
                deposed.set(true);
            } else if (outcome instanceof ConditionalOutcome.Written || outcome instanceof ConditionalOutcome.Removed) {
                log.info("{}", describe(repair));
            }
            tally.settle(repair, outcome);
            observer.repaired(repair, outcome);
        } finally {
            MDC.remove("task_guid");
        }
    }

    private static String describe(Repair repair) {
        if (repair instanceof Repair.Kick kick) {
            return "kicked " + kick.record().task().getState() + " task " + repair.guid();
        } else if (repair instanceof Repair.DemoteClaim demote) {
            return "demoted claim of task " + repair.guid() + " by executor " + demote.record().task().getExecutorId();
        } else if (repair instanceof Repair.DemoteResolving) {
            return "demoted resolving task " + repair.guid();
        } else if (repair instanceof Repair.Fail fail) {
            return "failed task " + repair.guid() + ": " + fail.reason();
        } else if (repair instanceof Repair.Expire) {
            return "expired completed task " + repair.guid();
        }
        return "pruned unreadable record " + repair.guid() + " (" + ((Repair.Prune) repair).record().problem() + ")";
    }
}
