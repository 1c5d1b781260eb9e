package dev.corkboard.bbs.callback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class CallbackSettingsTest {

    private static void assertRejectedNaming(String setting, Executable construction) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, construction);
        assertTrue(e.getMessage().startsWith(setting + " "), e.getMessage());
    }

    @Test
    void defaultsAreEightWorkersAQueueOf1024ThreeAttemptsTenSecondsAnd200Milliseconds() {
        assertEquals(new CallbackSettings(8, 1024, 3, Duration.ofSeconds(10), Duration.ofMillis(200)),
                CallbackSettings.defaults());
    }

    @Test
    void theSmallestValidSettingsAreAccepted() {
        CallbackSettings smallest = new CallbackSettings(1, 1, 1, Duration.ofMillis(1), Duration.ZERO);
        assertEquals(1, smallest.workers());
    }

    @Test
    void eachInvalidSettingIsRejectedByName() {
        Duration second = Duration.ofSeconds(1);
        assertRejectedNaming("workers", () -> new CallbackSettings(0, 1, 1, second, second));
        assertRejectedNaming("queueCapacity", () -> new CallbackSettings(1, 0, 1, second, second));
        assertRejectedNaming("maxAttempts", () -> new CallbackSettings(1, 1, 0, second, second));
        assertRejectedNaming("requestTimeout", () -> new CallbackSettings(1, 1, 1, Duration.ZERO, second));
        assertRejectedNaming("requestTimeout", () -> new CallbackSettings(1, 1, 1, null, second));
        assertRejectedNaming("firstBackoff", () -> new CallbackSettings(1, 1, 1, second, Duration.ofMillis(-1)));
        assertRejectedNaming("firstBackoff", () -> new CallbackSettings(1, 1, 1, second, null));
    }
}
