package dev.corkboard.stager;

import java.time.Duration;

/**
 * How a {@link CompletionListener} runs: how many handlers run at once, how many completions may wait for a handler
 * (more hold up the watch, which is back-pressure, not loss), and how it backs off while no BBS replica answers.
 */
public record ListenerSettings(int handlerThreads, int queueCapacity, Duration firstBackoff, Duration maxBackoff) {

    public ListenerSettings {
        if (handlerThreads < 1) {
            throw new IllegalArgumentException("handlerThreads must be at least 1, was " + handlerThreads);
        }
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("queueCapacity must be at least 1, was " + queueCapacity);
        }
        if (firstBackoff.isNegative() || firstBackoff.isZero() || maxBackoff.compareTo(firstBackoff) < 0) {
            throw new IllegalArgumentException("backoff must be positive and maxBackoff >= firstBackoff, was "
                    + firstBackoff + " and " + maxBackoff);
        }
    }

    public static ListenerSettings defaults() {
        return new ListenerSettings(4, 256, Duration.ofMillis(100), Duration.ofSeconds(5));
    }

    public ListenerSettings withHandlerThreads(int threads) {
        return new ListenerSettings(threads, queueCapacity, firstBackoff, maxBackoff);
    }
}
