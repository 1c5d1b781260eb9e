package dev.corkboard.bbs.store;

/** A watch's sink fell so far behind that its bounded buffer filled; the watch was cut off to bound memory. */
public final class SlowConsumerException extends RuntimeException {

    public SlowConsumerException(int capacity) {
        super("watch consumer fell " + capacity + " events behind and was cut off; re-list and watch again");
    }
}
