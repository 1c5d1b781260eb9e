package dev.corkboard.executor.logs;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corkboard.executor.runtime.LogSink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The retention rules applied to real files, with the clock moved by hand. */
class TaskLogsRetentionTest {

    private static final Instant T0 = Instant.parse("2026-12-02T08:00:00Z");

    @TempDir
    Path directory;

    private final SettableClock clock = new SettableClock(T0);
    private TaskLogs logs;

    @AfterEach
    void stop() {
        logs.close();
    }

    private void start(TaskLogSettings settings) throws Exception {
        logs = TaskLogs.start(settings, clock);
    }

    private void finishedLog(String guid, int lines) throws Exception {
        try (TaskLog log = logs.open(guid)) {
            for (int i = 0; i < lines; i++) {
                log.line(LogSink.Stream.STDOUT, "line " + i + " of " + guid);
            }
        }
    }

    @Test
    void finishedLogsOlderThanTheMaxAgeAreDeletedAndOpenOnesKept() throws Exception {
        start(TaskLogSettings.defaults(directory).withMaxAge(Duration.ofHours(24)));
        finishedLog("early", 3);
        TaskLog running = logs.open("running");
        running.line(LogSink.Stream.STDOUT, "still going");
        clock.advance(Duration.ofHours(2));
        finishedLog("later", 3);

        clock.advance(Duration.ofHours(22).plusMillis(1));
        RetentionSweep sweep = logs.sweep();

        assertEquals(List.of("early"), sweep.tooOld());
        assertFalse(Files.exists(directory.resolve("early.log")));
        assertTrue(Files.exists(directory.resolve("later.log")));
        assertTrue(Files.exists(directory.resolve("running.log")));
        running.close();
    }

    @Test
    void overTheTotalSizeTheOldestFinishedLogsGoFirstAndOpenOnesStay() throws Exception {
        start(TaskLogSettings.defaults(directory).withMaxTotalBytes(2000));
        TaskLog running = logs.open("running");
        for (int i = 0; i < 20; i++) {
            running.line(LogSink.Stream.STDOUT, "open output " + i);
        }
        finishedLog("first", 20);
        clock.advance(Duration.ofMinutes(1));
        finishedLog("second", 20);
        clock.advance(Duration.ofMinutes(1));
        finishedLog("third", 20);
        await().atMost(Duration.ofSeconds(2)).until(() -> logs.readAll("running").size() == 20);

        RetentionSweep sweep = logs.sweep();

        assertEquals(List.of("first", "second"), sweep.overSize(), sweep.toString());
        assertTrue(sweep.keptBytes() <= 2000, sweep.toString());
        assertTrue(Files.exists(directory.resolve("third.log")));
        running.close();
        assertTrue(Files.exists(directory.resolve("running.log")));
    }

    @Test
    void aLogAnEarlierProcessLeftUnfinishedAgesFromItsLastWrite() throws Exception {
        Path orphan = directory.resolve("orphan.log");
        Files.writeString(orphan, T0.toEpochMilli() + "\tstdout\tno finished marker\n");
        Files.setLastModifiedTime(orphan, FileTime.from(T0));
        Files.writeString(directory.resolve("not-a-log.txt"), "left alone");
        start(TaskLogSettings.defaults(directory));

        clock.advance(Duration.ofHours(25));
        RetentionSweep sweep = logs.sweep();

        assertEquals(List.of("orphan"), sweep.tooOld());
        assertTrue(Files.exists(directory.resolve("not-a-log.txt")));
    }
}
