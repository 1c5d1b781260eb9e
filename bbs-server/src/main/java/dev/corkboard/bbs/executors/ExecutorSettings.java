package dev.corkboard.bbs.executors;

import java.time.Duration;

/**
 * How a BBS replica serves executors.
 *
 * @param ttl time to live of a presence lease (whole seconds): an executor silent for this long disappears
 * @param defaultWait how long a ClaimNext that names no wait is parked before it answers empty
 * @param maxWait the longest wait a ClaimNext may ask for; longer ones are cut to it
 * @param poolCapacity most pending tasks kept in this replica's pool; beyond it new ones are left out until the
 *     converger re-announces them (its kick) and there is room
 * @param maxParked most ClaimNext calls parked at once on this replica; more fail {@code RESOURCE_EXHAUSTED}
 * @param feedBuffer events buffered by the replica's one task watch before it is cut off and re-listed
 * @param streamBuffer updates buffered per WatchExecutorTasks stream before a slow reader is cut off
 * @param maxStreams most WatchExecutorTasks streams open at once on this replica
 */
public record ExecutorSettings(Duration ttl, Duration defaultWait, Duration maxWait, int poolCapacity, int maxParked,
        int feedBuffer, int streamBuffer, int maxStreams) {

    public ExecutorSettings {
        if (ttl.toMillis() % 1000 != 0 || ttl.getSeconds() < 1) {
            throw new IllegalArgumentException("ttl must be a positive whole number of seconds, was " + ttl);
        }
        if (defaultWait.isNegative() || defaultWait.isZero() || maxWait.compareTo(defaultWait) < 0) {
            throw new IllegalArgumentException("expected 0 < defaultWait <= maxWait, got " + defaultWait + " and "
                    + maxWait);
        }
        if (poolCapacity <= 0 || maxParked <= 0 || feedBuffer <= 0 || streamBuffer <= 0 || maxStreams <= 0) {
            throw new IllegalArgumentException("capacities must be positive");
        }
    }

    /** TTL 15 s, wait 30 s (at most 60 s), 100,000 pending tasks, 10,000 parked calls, buffers of 16,384 and 1,024. */
    public static ExecutorSettings defaults() {
        return new ExecutorSettings(Duration.ofSeconds(15), Duration.ofSeconds(30), Duration.ofSeconds(60), 100_000,
                10_000, 16_384, 1_024, 10_000);
    }

    public ExecutorSettings withTtl(Duration newTtl) {
        return new ExecutorSettings(newTtl, defaultWait, maxWait, poolCapacity, maxParked, feedBuffer, streamBuffer,
                maxStreams);
    }

    public ExecutorSettings withStreamBuffer(int capacity) {
        return new ExecutorSettings(ttl, defaultWait, maxWait, poolCapacity, maxParked, feedBuffer, capacity,
                maxStreams);
    }

    /** The wait of a ClaimNext that asked for {@code waitMs} (0: the default), cut to {@link #maxWait()}. */
    public Duration waitFor(long waitMs) {
        if (waitMs <= 0) {
            return defaultWait;
        }
        Duration asked = Duration.ofMillis(waitMs);
        return asked.compareTo(maxWait) > 0 ? maxWait : asked;
    }
}
