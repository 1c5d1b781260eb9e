package dev.corkboard.bbs.callback;

import dev.corkboard.bbs.state.TaskError;
import dev.corkboard.bbs.state.TaskException;
import dev.corkboard.bbs.state.TaskRequest;
import dev.corkboard.bbs.store.EtcdFutures;
import dev.corkboard.bbs.store.EtcdTaskStore;
import dev.corkboard.proto.v1.Task;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One delivery round of one task: take it (Completed → Resolving, a compare-and-swap exactly one replica wins), POST
 * its callback until {@link RetryPolicy} says delivered or given up, then resolve it (remove it).
 *
 * <p>Every way a round can fail leaves the task where the converger picks it up again: a lost Resolving race means
 * another replica has it; a failed Resolving leaves it Completed (re-notified later) or, if the write applied after
 * all, Resolving; a failed POST round or a failed Resolve leaves it Resolving, which the converger demotes to
 * Completed after its kick interval, and this component then delivers it again. A callback can therefore arrive more
 * than once, never zero times while the task exists.
 */
final class CallbackDelivery {

    private static final Logger log = LoggerFactory.getLogger(CallbackDelivery.class);

    /** Waits between requests; answers false when the component is closing and the round should stop. */
    @FunctionalInterface
    interface Pause {
        boolean pause(Duration duration) throws InterruptedException;
    }

    private final EtcdTaskStore store;
    private final CallbackPoster poster;
    private final RetryPolicy policy;
    private final CallbackMetrics metrics;

    CallbackDelivery(EtcdTaskStore store, CallbackPoster poster, RetryPolicy policy, CallbackMetrics metrics) {
        this.store = store;
        this.poster = poster;
        this.policy = policy;
        this.metrics = metrics;
    }

    /**
     * Runs one round for the task, waiting between requests with {@code pause}.
     *
     * @throws InterruptedException when the component closes mid-round; the task is left Completed or Resolving
     */
    DeliveryOutcome deliver(String guid, Pause pause) throws InterruptedException {
        try (MDC.MDCCloseable ignored = MDC.putCloseable("task_guid", guid)) {
            DeliveryOutcome outcome = run(guid, pause);
            metrics.ended(outcome);
            report(outcome);
            return outcome;
        }
    }

    private DeliveryOutcome run(String guid, Pause pause) throws InterruptedException {
        Task task;
        try {
            task = await(store.apply(new TaskRequest.Resolving(guid)));
        } catch (TaskException e) {
            return e.error() instanceof TaskError.Unavailable
                    ? new DeliveryOutcome.Unclaimed(e.getMessage())
                    : new DeliveryOutcome.Lost(e.getMessage());
        }
        String url = task.getDefinition().getCompletionCallbackUrl();
        if (url.isEmpty()) {
            // only if the guid was resolved and reused by a task without a URL since it was queued: the converger
            // demotes it and its stager resolves it
            return new DeliveryOutcome.Undelivered("the task has no callback URL; left Resolving");
        }
        metrics.attempted();
        Verdict verdict = post(url, CallbackBody.json(task), pause);
        if (verdict instanceof Verdict.GiveUp giveUp) {
            return new DeliveryOutcome.Undelivered(giveUp.problem());
        }
        try {
            await(store.apply(new TaskRequest.Resolve(guid)));
            return new DeliveryOutcome.Resolved();
        } catch (TaskException e) {
            return new DeliveryOutcome.Unresolved(e.getMessage());
        }
    }

    /** Sends until delivered or given up; a {@link Verdict.Retry} never leaves this method. */
    private Verdict post(String url, String json, Pause pause) throws InterruptedException {
        long started = System.nanoTime();
        for (int attempt = 1; ; attempt++) {
            AttemptResult result = poster.post(url, json);
            metrics.request(result);
            Verdict verdict = policy.afterAttempt(result, attempt);
            if (verdict instanceof Verdict.Retry retry) {
                log.info("callback not delivered, retrying in {} ms: {}", retry.pause().toMillis(), retry.problem());
                if (pause.pause(retry.pause())) {
                    continue;
                }
                verdict = new Verdict.GiveUp("closing before the next attempt; last: " + retry.problem());
            }
            metrics.latency(verdict instanceof Verdict.Delivered, Duration.ofNanos(System.nanoTime() - started));
            return verdict;
        }
    }

    private static void report(DeliveryOutcome outcome) {
        if (outcome instanceof DeliveryOutcome.Resolved) {
            log.debug("callback delivered and task resolved");
        } else if (outcome instanceof DeliveryOutcome.Lost lost) {
            log.debug("not delivering: {}", lost.why());
        } else if (outcome instanceof DeliveryOutcome.Unclaimed unclaimed) {
            log.warn("cannot take the task for callback delivery, the converger will re-notify it: {}",
                    unclaimed.problem());
        } else if (outcome instanceof DeliveryOutcome.Undelivered undelivered) {
            log.warn("callback not delivered, task left Resolving for the converger to demote: {}",
                    undelivered.problem());
        } else if (outcome instanceof DeliveryOutcome.Unresolved unresolved) {
            log.warn("callback delivered but the task could not be resolved; it stays Resolving and will be"
                    + " delivered again after the converger demotes it: {}", unresolved.problem());
        }
    }

    /** The store call's result, waiting interruptibly; failures come out as {@link TaskException}. */
    private static Task await(CompletableFuture<Task> call) throws InterruptedException {
        try {
            return call.get();
        } catch (ExecutionException e) {
            Throwable cause = EtcdFutures.unwrap(e);
            if (cause instanceof TaskException taskException) {
                throw taskException;
            }
            throw new TaskException(new TaskError.Unavailable(String.valueOf(cause)), cause);
        }
    }
}
