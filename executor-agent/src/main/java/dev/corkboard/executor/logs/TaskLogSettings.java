package dev.corkboard.executor.logs;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Where task logs live and how long they are kept.
 *
 * @param directory one file per task here; created when missing
 * @param maxAge a finished log older than this (since it finished) is deleted (default 24 h)
 * @param maxTotalBytes when all logs together are larger, finished logs are deleted oldest first (default 1 GiB)
 * @param maxLogBytes one task's log stops taking lines beyond this size and says so in an executor line (default
 *     100 MiB), so that one chatty task cannot fill the disk before the sweeper may touch its log
 * @param flushInterval how often buffered lines reach the file and followers are woken (default 50 ms)
 * @param sweepInterval how often the retention rules run (default 5 min; also once when the logs start)
 */
public record TaskLogSettings(Path directory, Duration maxAge, long maxTotalBytes, long maxLogBytes,
        Duration flushInterval, Duration sweepInterval) {

    public static final Duration DEFAULT_MAX_AGE = Duration.ofHours(24);
    public static final long DEFAULT_MAX_TOTAL_BYTES = 1024L * 1024 * 1024;
    public static final long DEFAULT_MAX_LOG_BYTES = 100L * 1024 * 1024;
    public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofMillis(50);
    public static final Duration DEFAULT_SWEEP_INTERVAL = Duration.ofMinutes(5);

    /** @throws IllegalArgumentException naming the setting and what it accepts */
    public TaskLogSettings {
        Objects.requireNonNull(directory, "directory");
        positive("maxAge", maxAge);
        positive("flushInterval", flushInterval);
        positive("sweepInterval", sweepInterval);
        if (maxTotalBytes <= 0) {
            throw new IllegalArgumentException("maxTotalBytes must be a positive number of bytes, not " + maxTotalBytes);
        }
        if (maxLogBytes <= 0) {
            throw new IllegalArgumentException("maxLogBytes must be a positive number of bytes, not " + maxLogBytes);
        }
    }

    /** The defaults above, in the given directory. */
    public static TaskLogSettings defaults(Path directory) {
        return new TaskLogSettings(directory, DEFAULT_MAX_AGE, DEFAULT_MAX_TOTAL_BYTES, DEFAULT_MAX_LOG_BYTES,
                DEFAULT_FLUSH_INTERVAL, DEFAULT_SWEEP_INTERVAL);
    }

    public TaskLogSettings withMaxAge(Duration value) {
        return new TaskLogSettings(directory, value, maxTotalBytes, maxLogBytes, flushInterval, sweepInterval);
    }

    public TaskLogSettings withMaxTotalBytes(long value) {
        return new TaskLogSettings(directory, maxAge, value, maxLogBytes, flushInterval, sweepInterval);
    }

    public TaskLogSettings withMaxLogBytes(long value) {
        return new TaskLogSettings(directory, maxAge, maxTotalBytes, value, flushInterval, sweepInterval);
    }

    private static void positive(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be a positive duration, not " + value);
        }
    }
}
