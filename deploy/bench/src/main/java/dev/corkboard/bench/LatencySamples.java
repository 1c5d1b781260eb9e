package dev.corkboard.bench;

import java.util.Arrays;

/**
 * Every latency of a measured window, kept whole so percentiles are exact rather than bucketed. A window holds at
 * most a few hundred thousand samples, and appends are rare next to the etcd round trips they time, so one lock is
 * cheaper than anything cleverer.
 */
final class LatencySamples {

    private long[] nanos = new long[1 << 14];
    private int size;

    synchronized void record(long latencyNanos) {
        if (size == nanos.length) {
            nanos = Arrays.copyOf(nanos, size * 2);
        }
        nanos[size++] = latencyNanos;
    }

    /** The sorted samples, for {@link Percentiles}. */
    synchronized Percentiles percentiles() {
        long[] sorted = Arrays.copyOf(nanos, size);
        Arrays.sort(sorted);
        return new Percentiles(sorted);
    }

    /** Nearest-rank percentiles over sorted samples; NaN when there are none. */
    record Percentiles(long[] sortedNanos) {

        double millis(double percentile) {
            if (sortedNanos.length == 0) {
                return Double.NaN;
            }
            int rank = (int) Math.ceil(percentile / 100.0 * sortedNanos.length);
            return sortedNanos[Math.max(0, rank - 1)] / 1e6;
        }

        int count() {
            return sortedNanos.length;
        }
    }
}
