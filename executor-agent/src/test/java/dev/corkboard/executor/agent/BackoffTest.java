package dev.corkboard.executor.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void waitsDoubleFromTheFirstUpToTheCapAndStayThere() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofMillis(500));

        assertEquals(Duration.ofMillis(100), backoff.next());
        assertEquals(Duration.ofMillis(200), backoff.next());
        assertEquals(Duration.ofMillis(400), backoff.next());
        assertEquals(Duration.ofMillis(500), backoff.next());
        assertEquals(Duration.ofMillis(500), backoff.current());
        assertEquals(Duration.ofMillis(500), backoff.next());
    }

    @Test
    void currentDoesNotMoveOnAndResetStartsOver() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));

        assertEquals(Duration.ofMillis(100), backoff.current());
        assertEquals(Duration.ofMillis(100), backoff.current());
        backoff.next();
        backoff.next();
        backoff.reset();
        assertEquals(Duration.ofMillis(100), backoff.next());
    }
}
