package dev.corkboard.executor.agent;

import java.time.Duration;

/**
 * Capped exponential backoff: the first wait, then each one twice the last, up to the cap; {@link #reset()} starts
 * over. Safe to share between threads.
 */
final class Backoff {

    private final Duration first;
    private final Duration cap;
    private Duration current;

    Backoff(Duration first, Duration cap) {
        this.first = first;
        this.cap = cap;
        this.current = first;
    }

    /** The wait to use now, without moving on. */
    synchronized Duration current() {
        return current;
    }

    /** The wait to use now; the next one is twice as long, up to the cap. */
    synchronized Duration next() {
        Duration wait = current;
        Duration doubled = current.multipliedBy(2);
        current = doubled.compareTo(cap) > 0 ? cap : doubled;
        return wait;
    }

    /** Starts over from the first wait. */
    synchronized void reset() {
        current = first;
    }
}
