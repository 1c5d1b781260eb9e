package dev.corkboard.bbs.executors;

import dev.corkboard.bbs.state.TaskError;
import dev.corkboard.bbs.state.TaskException;
import dev.corkboard.bbs.store.EtcdFutures;
import dev.corkboard.bbs.store.EtcdTaskStore;
import dev.corkboard.proto.v1.Task;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves ClaimNext: hands each caller the oldest pending task that fits it, claimed for it, or parks the call until
 * a fitting task becomes pending or the wait passes.
 *
 * <p>The pending tasks come from the replica's one task watch ({@link TaskFeed}), never from reading etcd per call,
 * so a desired task costs etcd one write for the desire and one claim, however many executors poll: only claim
 * attempts write. A newly pending task is offered to one parked caller that fits it (the longest parked first), not
 * to all of them. A claim another executor won removes the task from the pool and the caller tries the next one. A
 * claim this replica won is remembered with its revision until the feed reports that far, so that an event or a
 * re-listing older than the claim cannot put the task back in the pool: the same executor claiming again succeeds,
 * so a stale entry would hand the task to it a second time.
 *
 * <p><b>etcd unreachable</b>: a claim attempt fails within the store's request timeout and the caller gets
 * {@code UNAVAILABLE}; the task stays in the pool and goes at once to the next parked caller it fits (or to a later
 * call). While the task feed cannot list the pending tasks
 * at all, calls are answered {@code UNAVAILABLE} at once (try another replica) and parked calls too. So a call never
 * outlives its wait plus one request timeout (a claim started just before the wait ended).
 *
 * <p>Parked calls are bounded ({@link ExecutorSettings#maxParked()}); a call whose client goes away is unparked at
 * once. A claim already sent for a caller that went away may still win: the task is then the executor's and shows in
 * its task stream; if the executor never starts it, the converger demotes it after the claim timeout.
 */
final class ClaimBroker implements AutoCloseable {

    /** Claims a task for an executor: the store's compare-and-swap. */
    @FunctionalInterface
    interface Claimer {
        CompletableFuture<EtcdTaskStore.Applied> claim(String guid, String executorId);
    }

    private enum State { SEARCHING, PARKED, CLAIMING, DONE }

    /** One ClaimNext call. Fields guarded by the broker's lock. */
    private static final class Waiter {
        final ExecutorOffer offer;
        final ClaimReply reply;
        State state = State.SEARCHING;
        boolean expired;
        boolean cancelled;
        volatile ScheduledFuture<?> timer;

        Waiter(ExecutorOffer offer, ClaimReply reply) {
            this.offer = offer;
            this.reply = reply;
        }
    }

    /** A parked caller paired with a task to claim for it. */
    private record Pairing(Waiter waiter, PendingTask task) {}

    private static final Logger log = LoggerFactory.getLogger(ClaimBroker.class);

    private final Claimer claimer;
    private final ScheduledExecutorService timer;
    private final ExecutorMetrics metrics;
    private final int maxParked;
    private final Object lock = new Object();
    private final PendingPool pool;
    private final Set<Waiter> parked = new LinkedHashSet<>();
    /** The revision the task feed has reported up to. */
    private long seenRevision;
    /**
     * Tasks this replica claimed at a revision the feed has not reported yet, with that revision: until it does, an
     * older event or listing that shows them pending is stale and must not put them back in the pool.
     */
    private final Map<String, Long> claimedAhead = new HashMap<>();
    /** Why the task feed cannot list pending tasks now; empty while it follows etcd (or is starting). */
    private Optional<String> feedDown = Optional.empty();
    private boolean closed;

    ClaimBroker(Claimer claimer, ScheduledExecutorService timer, ExecutorSettings settings, ExecutorMetrics metrics) {
        this.claimer = claimer;
        this.timer = timer;
        this.metrics = metrics;
        this.maxParked = settings.maxParked();
        this.pool = new PendingPool(settings.poolCapacity());
        metrics.gauge(ExecutorMetrics.POOL, "pending tasks this replica can hand out", this::poolSize);
        metrics.gauge(ExecutorMetrics.PARKED, "ClaimNext calls parked on this replica", this::parkedCount);
    }

    /**
     * Starts one ClaimNext call; the answer goes to {@code reply}, from this thread or a later one.
     *
     * @return what to run when the caller goes away: it unparks the call, after which {@code reply} hears nothing
     */
    Runnable claimNext(ExecutorOffer offer, Duration wait, ClaimReply reply) {
        Waiter waiter = new Waiter(offer, reply);
        Optional<Status> refused;
        synchronized (lock) {
            refused = closed ? Optional.of(shuttingDown())
                    : feedDown.map(reason -> Status.UNAVAILABLE.withDescription(
                            "this BBS replica cannot follow the pending tasks now (" + reason + "); try another"));
            if (refused.isPresent()) {
                waiter.state = State.DONE;
            }
        }
        if (refused.isPresent()) {
            answerFailed(waiter, refused.get());
            return () -> {};
        }
        waiter.timer = timer.schedule(() -> expire(waiter), wait.toMillis(), TimeUnit.MILLISECONDS);
        next(waiter);
        return () -> cancel(waiter);
    }

    /** Claims the oldest fitting task for the caller, or parks it, or answers empty once its wait is over. */
    private void next(Waiter waiter) {
        Optional<PendingTask> picked = Optional.empty();
        Optional<Status> refused = Optional.empty();
        boolean empty = false;
        synchronized (lock) {
            if (waiter.state == State.DONE) {
                return;
            }
            if (closed) {
                refused = Optional.of(shuttingDown());
            } else if (waiter.expired) {
                empty = true;
            } else {
                picked = pool.reserveOldestFitting(waiter.offer);
                if (picked.isPresent()) {
                    waiter.state = State.CLAIMING;
                } else if (parked.size() >= maxParked) {
                    refused = Optional.of(Status.RESOURCE_EXHAUSTED.withDescription("this BBS replica already parks "
                            + maxParked + " ClaimNext calls; retry later or on another replica"));
                } else {
                    waiter.state = State.PARKED;
                    parked.add(waiter);
                    return;
                }
            }
            if (picked.isEmpty()) {
                waiter.state = State.DONE;
            }
        }
        if (picked.isPresent()) {
            claim(waiter, picked.get());
        } else if (empty) {
            answerEmpty(waiter);
        } else {
            answerFailed(waiter, refused.orElseThrow());
        }
    }

    private void claim(Waiter waiter, PendingTask task) {
        CompletableFuture<EtcdTaskStore.Applied> claimed;
        try {
            claimed = claimer.claim(task.guid(), waiter.offer.executorId());
        } catch (RuntimeException e) {
            claimed = CompletableFuture.failedFuture(e);
        }
        claimed.whenComplete((result, failure) -> settle(waiter, task, result, failure));
    }

    private void settle(Waiter waiter, PendingTask task, EtcdTaskStore.Applied result, Throwable failure) {
        Throwable cause = failure == null ? null : EtcdFutures.unwrap(failure);
        boolean lost = cause instanceof TaskException refusal && !(refusal.error() instanceof TaskError.Unavailable);
        boolean cancelled;
        Optional<Pairing> retry = Optional.empty();
        synchronized (lock) {
            if (failure == null || lost) {
                pool.remove(task.guid());
                if (failure == null && result.revision() > seenRevision) {
                    claimedAhead.put(task.guid(), result.revision());
                }
            } else {
                // the task may still be pending: a parked caller it fits tries it now, not when its wait ends
                pool.release(task.guid());
                retry = pairWithParked(task);
            }
            cancelled = waiter.cancelled;
            waiter.state = lost && !cancelled ? State.SEARCHING : State.DONE;
        }
        retry.ifPresent(pairing -> claim(pairing.waiter(), pairing.task()));
        if (failure == null) {
            if (cancelled) {
                log.info("claimed task {} for executor {} whose ClaimNext had gone away; it is in the executor's"
                        + " task stream", task.guid(), waiter.offer.executorId());
                return;
            }
            waiter.timer.cancel(false);
            metrics.claimed();
            waiter.reply.claimed(result.task());
        } else if (lost) {
            log.debug("claim of task {} for executor {} lost: {}", task.guid(), waiter.offer.executorId(),
                    cause.getMessage());
            next(waiter);
        } else if (!cancelled) {
            answerFailed(waiter, statusOf(cause));
        }
    }

    private static Status statusOf(Throwable cause) {
        if (cause instanceof TaskException refusal && refusal.error() instanceof TaskError.Unavailable) {
            return Status.UNAVAILABLE.withDescription(refusal.error().message());
        }
        log.error("unexpected failure of a claim", cause);
        return Status.INTERNAL.withDescription("internal error; the BBS logged the detail");
    }

    private void expire(Waiter waiter) {
        synchronized (lock) {
            waiter.expired = true;
            if (waiter.state != State.PARKED) {
                return; // a claim in flight or a search settles it
            }
            parked.remove(waiter);
            waiter.state = State.DONE;
        }
        answerEmpty(waiter);
    }

    private void cancel(Waiter waiter) {
        synchronized (lock) {
            waiter.cancelled = true;
            if (waiter.state == State.PARKED) {
                parked.remove(waiter);
                waiter.state = State.DONE;
            }
        }
        if (waiter.timer != null) {
            waiter.timer.cancel(false);
        }
    }

    /** The feed saw a task pending at {@code revision} (desired, rejected, demoted, or re-announced). */
    void pending(Task task, long revision) {
        PendingTask pending = PendingTask.of(task);
        Optional<Pairing> pairing;
        synchronized (lock) {
            advance(revision);
            if (claimedAhead.containsKey(pending.guid())) {
                return; // older than this replica's claim of it
            }
            pool.add(pending);
            // a re-announced task already in the pool is offered too: it may sit there unclaimed after a failed claim
            pairing = pairWithParked(pending);
        }
        pairing.ifPresent(chosen -> claim(chosen.waiter(), chosen.task()));
    }

    /**
     * Reserves {@code task} for the longest parked caller it fits, unparking that caller; empty when the task is not
     * in the pool, is reserved already, or fits no parked caller. Called with the lock held.
     */
    private Optional<Pairing> pairWithParked(PendingTask task) {
        if (!pool.reservable(task.guid())) {
            return Optional.empty();
        }
        for (Waiter waiter : parked) {
            if (task.fits(waiter.offer)) {
                pool.reserve(task.guid());
                parked.remove(waiter);
                waiter.state = State.CLAIMING;
                return Optional.of(new Pairing(waiter, task));
            }
        }
        return Optional.empty();
    }

    /** The feed saw a task stop being pending at {@code revision} (claimed, cancelled, removed). */
    void gone(String guid, long revision) {
        synchronized (lock) {
            advance(revision);
            pool.remove(guid);
        }
    }

    /**
     * The feed listed every pending task afresh at {@code revision}: the pool becomes that list (less the tasks this
     * replica claimed after it), and parked callers get what fits.
     */
    void reset(List<Task> pendingTasks, long revision) {
        List<Pairing> pairings = new ArrayList<>();
        synchronized (lock) {
            feedDown = Optional.empty();
            advance(revision);
            pool.clearUnreserved();
            pendingTasks.stream().filter(task -> !claimedAhead.containsKey(task.getGuid()))
                    .forEach(task -> pool.add(PendingTask.of(task)));
            for (Waiter waiter : new ArrayList<>(parked)) {
                Optional<PendingTask> picked = pool.reserveOldestFitting(waiter.offer);
                if (picked.isPresent()) {
                    parked.remove(waiter);
                    waiter.state = State.CLAIMING;
                    pairings.add(new Pairing(waiter, picked.get()));
                }
            }
        }
        pairings.forEach(pairing -> claim(pairing.waiter(), pairing.task()));
    }

    /** The feed has reported everything up to {@code revision}: claims made up to it need no guard. Lock held. */
    private void advance(long revision) {
        seenRevision = Math.max(seenRevision, revision);
        if (!claimedAhead.isEmpty()) {
            claimedAhead.values().removeIf(claimedAt -> claimedAt <= seenRevision);
        }
    }

    /** The feed cannot list the pending tasks: refuse calls, and let parked ones try another replica. */
    void feedDown(String reason) {
        List<Waiter> unparked;
        synchronized (lock) {
            feedDown = Optional.of(reason);
            unparked = unparkAll();
        }
        Status status = Status.UNAVAILABLE.withDescription(
                "this BBS replica lost track of the pending tasks (" + reason + "); try another");
        unparked.forEach(waiter -> answerFailed(waiter, status));
    }

    /** Answers parked calls {@code UNAVAILABLE} and refuses new ones; claims in flight still settle. */
    @Override
    public void close() {
        List<Waiter> unparked;
        synchronized (lock) {
            closed = true;
            unparked = unparkAll();
        }
        unparked.forEach(waiter -> answerFailed(waiter, shuttingDown()));
    }

    private List<Waiter> unparkAll() {
        List<Waiter> all = new ArrayList<>(parked);
        parked.clear();
        all.forEach(waiter -> waiter.state = State.DONE);
        return all;
    }

    private void answerEmpty(Waiter waiter) {
        metrics.empty();
        if (!cancelledNow(waiter)) {
            waiter.reply.empty();
        }
    }

    private void answerFailed(Waiter waiter, Status status) {
        if (waiter.timer != null) {
            waiter.timer.cancel(false);
        }
        metrics.failed();
        if (!cancelledNow(waiter)) {
            waiter.reply.failed(status);
        }
    }

    private boolean cancelledNow(Waiter waiter) {
        synchronized (lock) {
            return waiter.cancelled;
        }
    }

    private static Status shuttingDown() {
        return Status.UNAVAILABLE.withDescription("this BBS replica is shutting down; ask another");
    }

    int poolSize() {
        synchronized (lock) {
            return pool.size();
        }
    }

    int parkedCount() {
        synchronized (lock) {
            return parked.size();
        }
    }
}
