package dev.corkboard.bench;

import java.util.Optional;

/**
 * What one measured window saw. Only operations that finished inside the window count, whenever they started.
 *
 * @param succeeded operations that did what they were meant to (a CAS that won, a lifecycle that ended resolved)
 * @param lost operations that completed but did not succeed (a CAS whose compare failed)
 * @param failed operations that completed exceptionally
 * @param warmupSeconds how long the warm-up actually lasted (at least what was asked; longer while the JIT was busy)
 * @param windowSeconds length of the measured window
 * @param latency latencies of the succeeded operations
 * @param cpu CPU time this JVM and etcd used during the window
 * @param firstFailure the first exception seen in the phase, warm-up included, for the report
 */
record PhaseResult(long succeeded, long lost, long failed, double warmupSeconds, double windowSeconds,
        LatencySamples.Percentiles latency, CpuTime cpu, Optional<Throwable> firstFailure) {

    double perSecond() {
        return succeeded / windowSeconds;
    }

    /** CPU milliseconds this JVM (or etcd) spent per succeeded operation. */
    double cpuMillisPerOperation(double cpuSeconds) {
        return cpuSeconds * 1e3 / succeeded;
    }

    /** Cores this JVM (or etcd) kept busy on average during the window. */
    double coresBusy(double cpuSeconds) {
        return cpuSeconds / windowSeconds;
    }
}
