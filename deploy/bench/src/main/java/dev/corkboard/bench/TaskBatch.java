package dev.corkboard.bench;

import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskDefinition;
import dev.corkboard.stager.StagerClient;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Desires a number of tasks through the stager client, keeping a fixed number desired but not yet completed, and
 * waits for the last one. Each task's latency runs from the start of its desire call to its completion arriving on
 * the {@link CompletionWatch}. A completed task is resolved (resolving, then resolve) on the resolver thread, so the
 * task table stays small and the next desire does not wait for it.
 *
 * <p>Nothing is counted as done that did not complete successfully: a desire the BBS refused, a task that completed
 * failed, and a task not seen completed within the task timeout all count as failed, and the first reason is kept.
 * A batch runs once: make a new one for the next.
 */
final class TaskBatch {

    private final StagerClient client;
    private final CompletionWatch watch;
    private final ExecutorService resolver;
    private final TaskDefinition definition;
    private final int inFlight;
    private final Duration taskTimeout;

    private final Semaphore slots;
    private final Map<String, Long> desiredAt = new ConcurrentHashMap<>();
    private final LatencySamples latency = new LatencySamples();
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong resolveErrors = new AtomicLong();
    private final AtomicLong lastCompletion = new AtomicLong();
    private final AtomicReference<String> firstFailure = new AtomicReference<>();
    private final AtomicReference<String> firstResolveError = new AtomicReference<>();

    TaskBatch(StagerClient client, CompletionWatch watch, ExecutorService resolver, TaskDefinition definition,
            int inFlight, Duration taskTimeout) {
        this.client = client;
        this.watch = watch;
        this.resolver = resolver;
        this.definition = definition;
        this.inFlight = inFlight;
        this.taskTimeout = taskTimeout;
        this.slots = new Semaphore(inFlight);
    }

    /** What a batch saw; wall time runs from its first desire to its last completion. */
    record Outcome(long completed, long failed, Optional<String> firstFailure, long resolveErrors,
            Optional<String> firstResolveError, double wallSeconds, LatencySamples.Percentiles desireToCompleted) {

        double perSecond() {
            return completed / wallSeconds;
        }
    }

    /**
     * Runs {@code count} tasks with guids starting {@code guidPrefix}, in domain {@code domain}; returns once every
     * one has completed, failed or timed out, and every resolve has been sent.
     *
     * @throws IllegalStateException when the completion watch stopped, since no completion could be seen any more
     */
    Outcome run(int count, String guidPrefix, String domain) throws InterruptedException {
        long start = System.nanoTime();
        lastCompletion.set(start);
        for (int i = 0; i < count; i++) {
            awaitSlots(1);
            desire(guidPrefix + "-" + i + "-" + UUID.randomUUID().toString().substring(0, 8), domain);
        }
        awaitSlots(inFlight);
        slots.release(inFlight);
        // one resolver thread works in order: once this no-op ran, every earlier resolve has been sent
        try {
            resolver.submit(() -> { }).get(60, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            record(resolveErrors, firstResolveError, "resolving did not finish within 60 s: " + e);
        }
        double wall = (lastCompletion.get() - start) / 1e9;
        return new Outcome(completed.get(), failed.get(), Optional.ofNullable(firstFailure.get()), resolveErrors.get(),
                Optional.ofNullable(firstResolveError.get()), wall, latency.percentiles());
    }

    private void desire(String guid, String domain) {
        long desired = System.nanoTime();
        // expected before the desire: a fast task can complete before the desire call has returned
        desiredAt.put(guid, desired);
        watch.expect(guid, this::completed);
        try {
            client.desire(guid, domain, definition);
        } catch (RuntimeException e) {
            watch.forget(guid);
            if (desiredAt.remove(guid) != null) {
                recordFailure("desire " + guid + " failed: " + e);
                slots.release();
            }
        }
    }

    /** On the watch thread. */
    private void completed(Task task) {
        long now = System.nanoTime();
        Long desired = desiredAt.remove(task.getGuid());
        if (desired == null) {
            return; // given up on already
        }
        if (task.getFailed()) {
            recordFailure("task " + task.getGuid() + " failed: " + task.getFailureReason());
        } else {
            latency.record(now - desired);
            completed.incrementAndGet();
        }
        lastCompletion.accumulateAndGet(now, Math::max);
        slots.release();
        resolver.execute(() -> resolve(task.getGuid()));
    }

    private void resolve(String guid) {
        try {
            client.resolving(guid);
            client.resolve(guid);
        } catch (RuntimeException e) {
            record(resolveErrors, firstResolveError, "resolve " + guid + " failed: " + e);
        }
    }

    /** Waits for free slots, giving up on tasks older than the timeout so that one lost task cannot hang the run. */
    private void awaitSlots(int wanted) throws InterruptedException {
        while (!slots.tryAcquire(wanted, 1, TimeUnit.SECONDS)) {
            Optional<String> watchFailure = watch.failure();
            if (watchFailure.isPresent()) {
                throw new IllegalStateException(watchFailure.get());
            }
            long oldest = System.nanoTime() - taskTimeout.toNanos();
            for (Map.Entry<String, Long> entry : desiredAt.entrySet()) {
                if (entry.getValue() - oldest < 0 && desiredAt.remove(entry.getKey(), entry.getValue())) {
                    watch.forget(entry.getKey());
                    recordFailure("task " + entry.getKey() + " was not seen completed within "
                            + taskTimeout.toSeconds() + " s");
                    slots.release();
                }
            }
        }
    }

    private void recordFailure(String reason) {
        record(failed, firstFailure, reason);
    }

    private static void record(AtomicLong counter, AtomicReference<String> first, String reason) {
        counter.incrementAndGet();
        first.compareAndSet(null, reason);
    }
}
