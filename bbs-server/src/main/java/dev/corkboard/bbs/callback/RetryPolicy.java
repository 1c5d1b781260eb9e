package dev.corkboard.bbs.callback;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/**
 * Decides after each request of a delivery round whether the callback was delivered, is worth another request, or
 * has failed for this round. Pure.
 *
 * <p>Worth retrying: 503 and 504 (the receiver or its proxy is briefly unable), and no answer at all (connection
 * refused or reset, connect or request timeout: any {@link IOException}). Any other status, 500 and 4xx included,
 * says the receiver will not take this callback now, so the round ends at once. Pauses grow
 * {@code firstBackoff, 2 × firstBackoff, 4 × …}, capped at {@link #MAX_BACKOFF} (or at {@code firstBackoff} when
 * that is larger).
 *
 * @param maxAttempts requests per round, the first included
 * @param firstBackoff pause after the first failed request
 */
record RetryPolicy(int maxAttempts, Duration firstBackoff) {

    static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

    RetryPolicy {
        if (maxAttempts <= 0) {
            throw new IllegalArgumentException("maxAttempts must be positive, was " + maxAttempts);
        }
        if (firstBackoff.isNegative()) {
            throw new IllegalArgumentException("firstBackoff must not be negative, was " + firstBackoff);
        }
    }

    static RetryPolicy of(CallbackSettings settings) {
        return new RetryPolicy(settings.maxAttempts(), settings.firstBackoff());
    }

    /** The verdict after request number {@code attempt} (1 for the first) came back with {@code result}. */
    Verdict afterAttempt(AttemptResult result, int attempt) {
        if (attempt <= 0) {
            throw new IllegalArgumentException("attempt numbers start at 1, was " + attempt);
        }
        if (result instanceof AttemptResult.Answered answered) {
            return isSuccess(answered.status())
                    ? new Verdict.Delivered(answered.status())
                    : decide(isTransient(answered.status()), "the receiver answered " + answered.status(), attempt);
        }
        Throwable cause = ((AttemptResult.Failed) result).cause();
        return decide(cause instanceof IOException, describe(cause), attempt);
    }

    /** The pause after request number {@code attempt} failed: {@code firstBackoff × 2^(attempt − 1)}, capped. */
    Duration backoffAfter(int attempt) {
        Duration cap = firstBackoff.compareTo(MAX_BACKOFF) > 0 ? firstBackoff : MAX_BACKOFF;
        Duration pause = firstBackoff;
        for (int i = 1; i < attempt && pause.compareTo(cap) < 0; i++) {
            pause = pause.multipliedBy(2);
        }
        return pause.compareTo(cap) > 0 ? cap : pause;
    }

    private Verdict decide(boolean retryable, String problem, int attempt) {
        if (!retryable) {
            return new Verdict.GiveUp(problem + " (not retried)");
        }
        if (attempt >= maxAttempts) {
            return new Verdict.GiveUp(problem + " (attempt " + attempt + " of " + maxAttempts + ")");
        }
        return new Verdict.Retry(backoffAfter(attempt), problem + " (attempt " + attempt + " of " + maxAttempts + ")");
    }

    static boolean isSuccess(int status) {
        return status >= 200 && status < 300;
    }

    static boolean isTransient(int status) {
        return status == 503 || status == 504;
    }

    private static String describe(Throwable cause) {
        if (cause instanceof HttpTimeoutException) {
            return "no answer in time: " + cause.getMessage();
        }
        if (cause instanceof ConnectException) {
            return "cannot connect: " + cause;
        }
        return cause instanceof IOException ? "connection failed: " + cause : "cannot send: " + cause;
    }
}
