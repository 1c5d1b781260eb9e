package dev.corkboard.bench;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * A closed-loop load: a fixed number of slots, each starting its next operation from the completion of the previous
 * one, so exactly {@code concurrency} operations are in flight and no thread blocks per operation. The run is a
 * warm-up followed by a measured window; an operation counts when it completes inside the window.
 *
 * <p>The warm-up lasts at least the time asked for, then goes on (to at most {@link #MAX_WARMUP_FACTOR} times that)
 * while the JIT is still busy: on 2 cores, compiler threads that are still working on grpc and netty inside the
 * window take a large share of a core from the load and from etcd, and would understate whichever phase runs first.
 * In any case it lasts until a round's worth of operations ({@code concurrency} of them) has finished.
 */
final class ClosedLoop {

    /** One operation of a slot. Completes with whether it succeeded; exceptionally when it failed. */
    interface Operation {
        CompletableFuture<Boolean> start(int slot);
    }

    /** How long in-flight operations may take to finish once the window closed. */
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(30);
    private static final int MAX_WARMUP_FACTOR = 4;
    /** The JIT counts as quiet once it compiles for less than this share of a second. */
    private static final double QUIET_JIT_SHARE = 0.05;

    /** The measured window, in {@link System#nanoTime()}; absent during the warm-up. */
    private record Window(long start, long end) {
        boolean contains(long nanos) {
            return nanos - start >= 0 && nanos - end < 0;
        }
    }

    private final Operation operation;
    private final LatencySamples latencies = new LatencySamples();
    private final LongAdder succeeded = new LongAdder();
    private final LongAdder lost = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final AtomicReference<Throwable> firstFailure = new AtomicReference<>();
    private final CountDownLatch drained;
    /** Counts down as operations finish, the first {@code concurrency} of them: a round's worth. */
    private final CountDownLatch firstRound;
    private volatile Window window;
    private volatile boolean stopping;

    private ClosedLoop(Operation operation, int concurrency) {
        this.operation = operation;
        this.drained = new CountDownLatch(concurrency);
        this.firstRound = new CountDownLatch(concurrency);
    }

    /** Runs the load for warm-up plus window, waits for the last operations to finish, and reports the window. */
    static PhaseResult run(Operation operation, int concurrency, Duration warmup, Duration measured)
            throws InterruptedException {
        ClosedLoop loop = new ClosedLoop(operation, concurrency);
        long started = System.nanoTime();
        for (int slot = 0; slot < concurrency; slot++) {
            loop.next(slot);
        }
        sleepUntil(started + warmup.toNanos());
        if (!warmup.isZero()) {
            awaitQuietJit(started + MAX_WARMUP_FACTOR * warmup.toNanos());
        }
        // a cold server's first operations can outlast a short window, which would then count none of them
        if (!loop.firstRound.await(DRAIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            throw new IllegalStateException("fewer than " + concurrency + " operations finished within "
                    + DRAIN_TIMEOUT.toSeconds() + " s: the server stalled?");
        }
        CpuTime cpuAtStart = CpuTime.now();
        long windowStart = System.nanoTime();
        Window window = new Window(windowStart, windowStart + measured.toNanos());
        loop.window = window;
        sleepUntil(window.end());
        CpuTime cpu = CpuTime.now().since(cpuAtStart);
        loop.stopping = true;
        if (!loop.drained.await(DRAIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            throw new IllegalStateException("operations were still in flight " + DRAIN_TIMEOUT.toSeconds()
                    + " s after the window closed: etcd stalled?");
        }
        return new PhaseResult(loop.succeeded.sum(), loop.lost.sum(), loop.failed.sum(),
                (windowStart - started) / 1e9, measured.toNanos() / 1e9, loop.latencies.percentiles(), cpu,
                Optional.ofNullable(loop.firstFailure.get()));
    }

    private static void awaitQuietJit(long deadline) throws InterruptedException {
        while (deadline - System.nanoTime() > 0) {
            double before = CpuTime.jitSecondsSoFar();
            TimeUnit.SECONDS.sleep(1);
            double compiling = CpuTime.jitSecondsSoFar() - before;
            // NaN: this JVM does not say, so there is nothing to wait for
            if (Double.isNaN(compiling) || compiling < QUIET_JIT_SHARE) {
                return;
            }
        }
    }

    private static void sleepUntil(long deadline) throws InterruptedException {
        long remaining;
        while ((remaining = deadline - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(remaining);
        }
    }

    /**
     * Starts the slot's next operation. An operation that is already complete when it returns is handled in the loop
     * rather than by recursion, so a burst of synchronous completions cannot grow the stack.
     */
    private void next(int slot) {
        while (!stopping) {
            long started = System.nanoTime();
            CompletableFuture<Boolean> pending = startSafely(slot);
            if (!pending.isDone()) {
                pending.whenComplete((ok, failure) -> {
                    finish(started, ok, failure);
                    next(slot);
                });
                return;
            }
            Boolean ok = null;
            Throwable failure = null;
            try {
                ok = pending.join();
            } catch (RuntimeException e) {
                failure = e;
            }
            finish(started, ok, failure);
        }
        drained.countDown();
    }

    private CompletableFuture<Boolean> startSafely(int slot) {
        try {
            return operation.start(slot);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private void finish(long started, Boolean ok, Throwable failure) {
        long now = System.nanoTime();
        firstRound.countDown();
        if (failure != null) {
            firstFailure.compareAndSet(null, failure);
        }
        Window measured = window;
        if (measured == null || !measured.contains(now)) {
            return;
        }
        if (failure != null) {
            failed.increment();
        } else if (Boolean.TRUE.equals(ok)) {
            succeeded.increment();
            latencies.record(now - started);
        } else {
            lost.increment();
        }
    }
}
