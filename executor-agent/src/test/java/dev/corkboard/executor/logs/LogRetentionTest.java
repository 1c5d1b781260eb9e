package dev.corkboard.executor.logs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.corkboard.executor.logs.LogRetention.StoredLog;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class LogRetentionTest {

    private static final Instant NOW = Instant.parse("2026-12-02T20:00:00Z");
    private final LogRetention retention = new LogRetention(Duration.ofHours(24), 1000);

    private static StoredLog finished(String guid, long bytes, Duration ago) {
        return new StoredLog(guid, bytes, NOW.minus(ago), false);
    }

    private static List<String> guids(List<StoredLog> logs) {
        return logs.stream().map(StoredLog::taskGuid).toList();
    }

    @Test
    void aLogEndedExactlyMaxAgeAgoIsKeptAndOneAMillisecondOlderIsDeleted() {
        LogRetention.Decision decision = retention.decide(List.of(
                finished("at-limit", 10, Duration.ofHours(24)),
                finished("over", 10, Duration.ofHours(24).plusMillis(1))), NOW);

        assertEquals(List.of("over"), guids(decision.tooOld()));
        assertEquals(List.of(), decision.overSize());
        assertEquals(10, decision.keptBytes());
    }

    @Test
    void anOpenLogIsNeverDeletedForItsAge() {
        LogRetention.Decision decision = retention.decide(
                List.of(new StoredLog("running", 10, NOW.minus(Duration.ofDays(3)), true)), NOW);

        assertEquals(List.of(), decision.tooOld());
    }

    @Test
    void overTheTotalSizeTheLogsThatEndedFirstGoUntilTheRestFits() {
        LogRetention.Decision decision = retention.decide(List.of(
                finished("newest", 400, Duration.ofMinutes(1)),
                finished("oldest", 400, Duration.ofMinutes(30)),
                finished("middle", 400, Duration.ofMinutes(10))), NOW);

        assertEquals(List.of("oldest"), guids(decision.overSize()));
        assertEquals(800, decision.keptBytes());
    }

    @Test
    void openLogsCountTowardsTheTotalButAreKeptEvenWhenTheyAloneAreOver() {
        LogRetention.Decision decision = retention.decide(List.of(
                new StoredLog("running", 1500, NOW.minus(Duration.ofHours(2)), true),
                finished("done", 100, Duration.ofMinutes(1))), NOW);

        assertEquals(List.of("done"), guids(decision.overSize()));
        assertEquals(1500, decision.keptBytes());
    }
}
