package dev.corkboard.bbs.callback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RetryPolicyTest {

    private final RetryPolicy policy = new RetryPolicy(3, Duration.ofMillis(200));

    private static AttemptResult status(int code) {
        return new AttemptResult.Answered(code);
    }

    private static AttemptResult failure(Throwable cause) {
        return new AttemptResult.Failed(cause);
    }

    @ParameterizedTest
    @ValueSource(ints = {200, 201, 202, 204, 299})
    void everyTwoHundredStatusIsDelivered(int code) {
        assertEquals(new Verdict.Delivered(code), policy.afterAttempt(status(code), 1));
        assertEquals(new Verdict.Delivered(code), policy.afterAttempt(status(code), 3));
    }

    @ParameterizedTest
    @ValueSource(ints = {100, 199, 300, 302, 400, 404, 409, 429, 500, 501, 502, 505})
    void anyOtherStatusFailsTheRoundAtTheFirstAttempt(int code) {
        Verdict verdict = policy.afterAttempt(status(code), 1);
        Verdict.GiveUp giveUp = assertInstanceOf(Verdict.GiveUp.class, verdict);
        assertTrue(giveUp.problem().contains(String.valueOf(code)), giveUp.problem());
    }

    @ParameterizedTest
    @ValueSource(ints = {503, 504})
    void unavailableAndGatewayTimeoutAreRetriedUntilTheLastAttempt(int code) {
        assertEquals(Duration.ofMillis(200), assertInstanceOf(Verdict.Retry.class,
                policy.afterAttempt(status(code), 1)).pause());
        assertEquals(Duration.ofMillis(400), assertInstanceOf(Verdict.Retry.class,
                policy.afterAttempt(status(code), 2)).pause());
        assertInstanceOf(Verdict.GiveUp.class, policy.afterAttempt(status(code), 3));
    }

    @Test
    void connectionFailuresAndTimeoutsAreRetried() {
        for (Throwable cause : new Throwable[] {new ConnectException("Connection refused"),
            new HttpTimeoutException("request timed out"), new HttpConnectTimeoutException("connect timed out"),
            new IOException("Connection reset")}) {
            assertInstanceOf(Verdict.Retry.class, policy.afterAttempt(failure(cause), 1), cause.toString());
            assertInstanceOf(Verdict.Retry.class, policy.afterAttempt(failure(cause), 2), cause.toString());
            assertInstanceOf(Verdict.GiveUp.class, policy.afterAttempt(failure(cause), 3), cause.toString());
        }
    }

    @Test
    void aRequestThatCannotBeMadeIsNotRetried() {
        Verdict verdict = policy.afterAttempt(failure(new IllegalArgumentException("unsupported URI")), 1);
        assertInstanceOf(Verdict.GiveUp.class, verdict);
    }

    @Test
    void withOneAttemptATransientFailureEndsTheRound() {
        RetryPolicy once = new RetryPolicy(1, Duration.ofMillis(200));
        assertInstanceOf(Verdict.GiveUp.class, once.afterAttempt(status(503), 1));
        assertInstanceOf(Verdict.GiveUp.class, once.afterAttempt(failure(new ConnectException()), 1));
    }

    @Test
    void backoffDoublesFromTheFirstAndStopsAtTheCap() {
        RetryPolicy many = new RetryPolicy(20, Duration.ofMillis(200));
        assertEquals(Duration.ofMillis(200), many.backoffAfter(1));
        assertEquals(Duration.ofMillis(400), many.backoffAfter(2));
        assertEquals(Duration.ofMillis(800), many.backoffAfter(3));
        assertEquals(Duration.ofMillis(6400), many.backoffAfter(6));
        assertEquals(RetryPolicy.MAX_BACKOFF, many.backoffAfter(7)); // 12.8 s, capped
        assertEquals(RetryPolicy.MAX_BACKOFF, many.backoffAfter(1_000_000));
        assertEquals(RetryPolicy.MAX_BACKOFF,
                assertInstanceOf(Verdict.Retry.class, many.afterAttempt(status(503), 19)).pause());
    }

    @Test
    void aFirstBackoffAboveTheCapIsKeptAsIs() {
        RetryPolicy slow = new RetryPolicy(5, Duration.ofSeconds(30));
        assertEquals(Duration.ofSeconds(30), slow.backoffAfter(1));
        assertEquals(Duration.ofSeconds(30), slow.backoffAfter(4));
    }

    @Test
    void aZeroBackoffRetriesAtOnce() {
        RetryPolicy eager = new RetryPolicy(3, Duration.ZERO);
        assertEquals(Duration.ZERO, eager.backoffAfter(1));
        assertEquals(Duration.ZERO, eager.backoffAfter(2));
    }

    @Test
    void attemptNumbersStartAtOne() {
        assertThrows(IllegalArgumentException.class, () -> policy.afterAttempt(status(200), 0));
    }
}
