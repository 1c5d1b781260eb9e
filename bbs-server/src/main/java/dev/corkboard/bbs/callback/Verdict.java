package dev.corkboard.bbs.callback;

import java.time.Duration;

/** What a delivery does after one request, as {@link RetryPolicy} decides. */
sealed interface Verdict {

    /** The receiver took the callback (a 2xx): resolve the task. */
    record Delivered(int status) implements Verdict {}

    /** A transient failure with attempts left: wait, then send again. */
    record Retry(Duration pause, String problem) implements Verdict {}

    /** A permanent failure, or the last attempt failed: leave the task Resolving for the converger to demote. */
    record GiveUp(String problem) implements Verdict {}
}
