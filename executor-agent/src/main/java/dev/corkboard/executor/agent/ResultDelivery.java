package dev.corkboard.executor.agent;

import dev.corkboard.proto.v1.CompleteTaskRequest;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Reports task results and never loses one. A result goes to the BBS at once; if no BBS answers, it is written to the
 * {@link ResultSpool} (fsynced) and delivered from there with exponential backoff (first {@code firstBackoff},
 * doubling up to a minute) until a BBS takes it. CompleteTask is idempotent for the same executor and outcome, so a
 * result delivered twice (a timeout after it landed, a crash before the spool file was removed) completes the task
 * once. A BBS answer other than "unreachable" (the task was cancelled meanwhile, or taken away by the converger) is
 * final: the result is dropped with a log line, since the task already has an outcome.
 */
final class ResultDelivery implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ResultDelivery.class);
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(1);

    /** What happened to one result. */
    enum Outcome { DELIVERED, REFUSED, SPOOLED }

    private final BbsLink bbs;
    private final ResultSpool spool;
    private final AgentMetrics metrics;
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "corkboard-spool-delivery");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicBoolean retryScheduled = new AtomicBoolean();
    /** Held while a spooled result is read, sent and removed, and while one is discarded. */
    private final Object delivering = new Object();
    private final Backoff backoff;

    ResultDelivery(BbsLink bbs, ResultSpool spool, AgentMetrics metrics, Duration firstBackoff) {
        this.bbs = bbs;
        this.spool = spool;
        this.metrics = metrics;
        this.backoff = new Backoff(firstBackoff, MAX_BACKOFF);
        metrics.spoolSize(spool::size);
    }

    /** Sends the result now; when no BBS answers, spools it and schedules its delivery. */
    Outcome report(CompleteTaskRequest result) {
        Outcome outcome = send(result);
        if (outcome != Outcome.SPOOLED) {
            return outcome;
        }
        try {
            spool.put(result);
            log.warn("no BBS took the result of task {}; spooled it for delivery when one is back", result.getGuid());
        } catch (IOException e) {
            // nothing left but to keep it in memory and keep trying: say so loudly
            log.error("cannot spool the result of task {}; retrying from memory only", result.getGuid(), e);
            retries.schedule(() -> report(result), backoff.current().toMillis(), TimeUnit.MILLISECONDS);
            return Outcome.SPOOLED;
        }
        scheduleRetry();
        return Outcome.SPOOLED;
    }

    /**
     * Delivers every spooled result now, in the caller's thread; returns whether the spool is empty afterwards. The
     * agent calls it at start, before it claims anything. Each result is read afresh and sent under the delivery lock,
     * so one {@link #discard(String) discarded} meanwhile is never sent.
     */
    boolean deliverSpooled() {
        for (CompleteTaskRequest listed : spool.all()) {
            synchronized (delivering) {
                Optional<CompleteTaskRequest> result = spool.read(listed.getGuid());
                if (result.isEmpty()) {
                    continue;
                }
                if (send(result.get()) == Outcome.SPOOLED) {
                    return false;
                }
                spool.remove(listed.getGuid());
            }
        }
        // a file that cannot be read is logged by the spool and left for an operator: it must not stop the agent
        return spool.all().isEmpty();
    }

    /**
     * Drops the spooled result of an earlier attempt of a task that the BBS has just given this executor again: the
     * BBS moved the task on (back to Pending, claimed anew), so that outcome can never be the new attempt's, and
     * delivering it later would complete the new attempt with it. Waits for a delivery of it in flight.
     */
    void discard(String guid) {
        synchronized (delivering) {
            if (spool.contains(guid)) {
                log.warn("task {} was claimed again; dropping the undelivered result of its earlier attempt", guid);
                spool.remove(guid);
            }
        }
    }

    /** Guids of results still waiting in the spool. */
    boolean spooled(String guid) {
        return spool.contains(guid);
    }

    private Outcome send(CompleteTaskRequest result) {
        MDC.put("task_guid", result.getGuid());
        try {
            bbs.tasks().completeTask(result);
            metrics.resultDelivered();
            log.info("task {} completed{}", result.getGuid(), result.getFailed()
                    ? " as failed: " + result.getFailureReason() : "");
            return Outcome.DELIVERED;
        } catch (StatusRuntimeException e) {
            if (BbsLink.unreachable(e)) {
                return Outcome.SPOOLED;
            }
            log.warn("the BBS refused the result of task {}: {} (the task already has an outcome)", result.getGuid(),
                    e.getStatus());
            return Outcome.REFUSED;
        } finally {
            MDC.remove("task_guid");
        }
    }

    private void scheduleRetry() {
        if (retryScheduled.compareAndSet(false, true)) {
            retries.schedule(this::retry, backoff.current().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void retry() {
        retryScheduled.set(false);
        boolean empty;
        try {
            empty = deliverSpooled();
        } catch (RuntimeException e) {
            log.warn("delivering spooled results failed; trying again", e);
            empty = false;
        }
        if (empty) {
            backoff.reset();
            return;
        }
        backoff.next();
        scheduleRetry();
    }

    @Override
    public void close() {
        retries.shutdownNow();
    }
}
