package dev.corkboard.bbs.callback;

import java.time.Duration;

/**
 * How a BBS replica delivers completion callbacks.
 *
 * @param workers threads that deliver callbacks concurrently (each runs one delivery at a time)
 * @param queueCapacity completed tasks that may wait for a worker; when full, further offers are dropped and counted
 *     (the converger's re-notify of Completed tasks offers them again)
 * @param maxAttempts HTTP requests per delivery round, the first included, before the task is left Resolving
 * @param requestTimeout deadline of one HTTP request (connect included); past it the request counts as failed and
 *     is retried
 * @param firstBackoff pause before the second request; it doubles before each further one, up to 10 s
 *     (or {@code firstBackoff} itself when that is larger)
 */
public record CallbackSettings(int workers, int queueCapacity, int maxAttempts, Duration requestTimeout,
        Duration firstBackoff) {

    public CallbackSettings {
        requirePositive("workers", workers);
        requirePositive("queueCapacity", queueCapacity);
        requirePositive("maxAttempts", maxAttempts);
        if (requestTimeout == null || requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("requestTimeout must be a positive duration, was " + requestTimeout);
        }
        if (firstBackoff == null || firstBackoff.isNegative()) {
            throw new IllegalArgumentException("firstBackoff must be zero or a positive duration, was "
                    + firstBackoff);
        }
    }

    /** 8 workers, a queue of 1024, 3 attempts, 10 s per request, 200 ms before the first retry. */
    public static CallbackSettings defaults() {
        return new CallbackSettings(8, 1024, 3, Duration.ofSeconds(10), Duration.ofMillis(200));
    }

    private static void requirePositive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
    }
}
