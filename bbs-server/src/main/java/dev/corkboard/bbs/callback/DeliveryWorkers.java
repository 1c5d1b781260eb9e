package dev.corkboard.bbs.callback;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * A fixed pool of workers fed by a bounded queue of task guids, with each guid at most once in the pool.
 *
 * <p><b>Bound</b>: at most {@code capacity} guids wait while every worker is busy; an offer past that waits at most
 * the time its caller allows and is then dropped and counted. A dropped task is not lost: it stays Completed, and
 * the converger's re-notify (a rewrite of every Completed task not updated for its kick interval) offers it again.
 *
 * <p><b>Dedupe</b>: a guid already waiting is not queued again. A guid offered while a worker is delivering it is
 * remembered and queued once more when that delivery ends, so a converger demotion or re-notify that lands during a
 * round is not lost to the dedupe.
 *
 * <p><b>Close</b>: waiting guids are abandoned (their tasks are still Completed), rounds in flight get a grace period
 * and are then interrupted. {@link #pause(Duration)} answers false from the moment closing begins, so rounds stop
 * between requests instead of retrying.
 */
final class DeliveryWorkers implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DeliveryWorkers.class);

    /** What a worker does with a guid; {@code pause} waits between its steps and says when to stop. */
    @FunctionalInterface
    interface Work {
        void deliver(String guid, CallbackDelivery.Pause pause) throws InterruptedException;
    }

    /** What became of an offer. */
    enum Offer { QUEUED, ALREADY_PENDING, DROPPED, CLOSED }

    private enum Pending { QUEUED, RUNNING, RUNNING_AGAIN }

    private final ThreadPoolExecutor pool;
    /** One permit per guid queued or running: capacity waiting plus one per worker. */
    private final Semaphore room;
    private final Work work;
    private final Runnable onDrop;
    private final CountDownLatch closing = new CountDownLatch(1);
    /** guid → where it is in the pool. Guarded by itself. */
    private final Map<String, Pending> pending = new HashMap<>();

    DeliveryWorkers(int workers, int capacity, Work work, Runnable onDrop) {
        AtomicInteger sequence = new AtomicInteger();
        // the executor's own queue is unbounded; the semaphore is the bound, so an offer can wait for room
        this.pool = new ThreadPoolExecutor(workers, workers, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                runnable -> {
                    Thread thread = new Thread(runnable, "corkboard-callback-" + sequence.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        this.room = new Semaphore(capacity + workers);
        this.work = work;
        this.onDrop = onDrop;
    }

    /**
     * Queues the guid for delivery unless it is already in the pool, waiting at most {@code maxWait} for room.
     *
     * @throws InterruptedException when the caller is interrupted while waiting; the guid is not queued
     */
    Offer offer(String guid, Duration maxWait) throws InterruptedException {
        if (isClosing()) {
            return Offer.CLOSED;
        }
        synchronized (pending) {
            Pending state = pending.get(guid);
            if (state == Pending.RUNNING) {
                pending.put(guid, Pending.RUNNING_AGAIN);
            }
            if (state != null) {
                return Offer.ALREADY_PENDING;
            }
            pending.put(guid, Pending.QUEUED);
        }
        boolean admitted = false;
        try {
            admitted = maxWait.isZero() ? room.tryAcquire() : room.tryAcquire(maxWait.toNanos(), TimeUnit.NANOSECONDS);
        } finally {
            if (!admitted) {
                forget(guid);
            }
        }
        if (!admitted) {
            onDrop.run();
            return Offer.DROPPED;
        }
        return submit(guid) ? Offer.QUEUED : Offer.CLOSED;
    }

    /** Guids waiting for a worker. */
    int depth() {
        return pool.getQueue().size();
    }

    /** Waits between requests of a round; false once closing has begun (the round should stop). */
    boolean pause(Duration duration) throws InterruptedException {
        return !closing.await(duration.toNanos(), TimeUnit.NANOSECONDS);
    }

    private boolean isClosing() {
        return closing.getCount() == 0;
    }

    /** Hands a guid holding a permit to the pool; on refusal (closing) gives the permit back. */
    private boolean submit(String guid) {
        try {
            pool.execute(() -> run(guid));
            return true;
        } catch (RejectedExecutionException e) {
            forget(guid);
            room.release();
            return false;
        }
    }

    private void run(String guid) {
        synchronized (pending) {
            pending.put(guid, Pending.RUNNING);
        }
        try {
            if (!isClosing()) {
                work.deliver(guid, this::pause);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            try (MDC.MDCCloseable ignored = MDC.putCloseable("task_guid", guid)) {
                log.error("callback delivery failed unexpectedly; the converger will offer the task again", e);
            }
        } finally {
            finish(guid);
        }
    }

    /** Ends a guid's turn; if it was offered again meanwhile, it goes round once more with the same permit. */
    private void finish(String guid) {
        boolean again;
        synchronized (pending) {
            again = pending.get(guid) == Pending.RUNNING_AGAIN && !isClosing();
            if (again) {
                pending.put(guid, Pending.QUEUED);
            } else {
                pending.remove(guid);
            }
        }
        if (!again) {
            room.release();
        } else {
            submit(guid);
        }
    }

    private void forget(String guid) {
        synchronized (pending) {
            pending.remove(guid);
        }
    }

    /** Abandons waiting guids, lets rounds in flight run for {@code grace}, then interrupts them. */
    void close(Duration grace) {
        closing.countDown();
        pool.shutdown();
        pool.getQueue().clear();
        try {
            if (!pool.awaitTermination(grace.toNanos(), TimeUnit.NANOSECONDS)) {
                log.warn("callback deliveries still running after {} ms; interrupting them", grace.toMillis());
                pool.shutdownNow();
                if (!pool.awaitTermination(grace.toNanos(), TimeUnit.NANOSECONDS)) {
                    log.warn("callback workers did not stop after being interrupted");
                }
            }
        } catch (InterruptedException e) {
            pool.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }
}
