package dev.corkboard.converger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ConvergerSettingsTest {

    @Test
    void defaultsAreDiegos() {
        ConvergerSettings defaults = ConvergerSettings.defaults();

        assertEquals(Duration.ofSeconds(30), defaults.interval());
        assertEquals(Duration.ofSeconds(30), defaults.kick());
        assertEquals(Duration.ofSeconds(30), defaults.claimTimeout());
        assertEquals(Duration.ofMinutes(30), defaults.pendingExpiry());
        assertEquals(Duration.ofMinutes(2), defaults.completedExpiry());
        assertEquals(Duration.ofSeconds(15), defaults.leaseTtl());
    }

    @Test
    void aZeroOrNegativeDurationIsRefusedNamingTheSetting() {
        ConvergerSettings d = ConvergerSettings.defaults();

        assertEquals("interval must be positive, was PT0S", message(() -> d.withInterval(Duration.ZERO)));
        assertEquals("kick must be positive, was PT-1S", message(() -> d.withThresholds(Duration.ofSeconds(-1),
                d.claimTimeout(), d.pendingExpiry(), d.completedExpiry())));
        assertEquals("claimTimeout must be positive, was PT0S", message(() -> d.withThresholds(d.kick(),
                Duration.ZERO, d.pendingExpiry(), d.completedExpiry())));
        assertEquals("pendingExpiry must be positive, was PT0S", message(() -> d.withThresholds(d.kick(),
                d.claimTimeout(), Duration.ZERO, d.completedExpiry())));
        assertEquals("completedExpiry must be positive, was PT0S", message(() -> d.withThresholds(d.kick(),
                d.claimTimeout(), d.pendingExpiry(), Duration.ZERO)));
        assertEquals("leaseTtl must be positive, was PT0S", message(() -> d.withLeaseTtl(Duration.ZERO)));
    }

    @Test
    void aMissingDurationIsRefusedNamingTheSetting() {
        assertEquals("kick is required", message(() -> ConvergerSettings.defaults().withThresholds(null,
                Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1))));
    }

    @Test
    void aLeaseTtlInFractionsOfASecondIsRefused() {
        assertEquals("leaseTtl must be whole seconds (etcd leases count seconds), was PT1.5S",
                message(() -> ConvergerSettings.defaults().withLeaseTtl(Duration.ofMillis(1500))));
    }

    @Test
    void pageSizeAndWritesInFlightAreBounded() {
        assertEquals("pageSize must be between 1 and 10000, was 0",
                message(() -> ConvergerSettings.defaults().withPageSize(0)));
        assertEquals("maxWritesInFlight must be between 1 and 1024, was 0", message(() -> new ConvergerSettings(
                Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1),
                Duration.ofSeconds(1), Duration.ofSeconds(1), 1, 0)));
    }

    private static String message(org.junit.jupiter.api.function.Executable executable) {
        return assertThrows(IllegalArgumentException.class, executable).getMessage();
    }
}
