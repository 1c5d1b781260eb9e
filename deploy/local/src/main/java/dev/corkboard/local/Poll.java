package dev.corkboard.local;

import java.time.Duration;

/** Waiting for a process to come up or to go away: checks often, gives up at a bound. */
final class Poll {

    private static final long INTERVAL_MS = 100;

    @FunctionalInterface
    interface Condition {
        boolean holds() throws InterruptedException;
    }

    private Poll() {}

    /** Whether {@code condition} held within {@code timeout}; it is checked at once and then every 100 ms. */
    static boolean until(Condition condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (condition.holds()) {
                return true;
            }
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            Thread.sleep(INTERVAL_MS);
        }
    }
}
