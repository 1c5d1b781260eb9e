package dev.corkboard.executor.logs;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corkboard.executor.logs.TaskLogLine.Origin;
import dev.corkboard.executor.runtime.LogSink;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TaskLogsTest {

    private static final Instant T0 = Instant.parse("2026-12-02T20:15:01.123Z");

    @TempDir
    Path directory;

    private final SettableClock clock = new SettableClock(T0);
    private TaskLogs logs;

    @BeforeEach
    void start() throws Exception {
        logs = TaskLogs.start(TaskLogSettings.defaults(directory), clock);
    }

    @AfterEach
    void stop() {
        logs.close();
    }

    @Test
    void linesComeBackInOrderWithTheirStreamsAndTimestamps() throws Exception {
        try (TaskLog log = logs.open("t-1")) {
            log.executor("container created");
            clock.advance(Duration.ofMillis(5));
            log.line(LogSink.Stream.STDOUT, "hello");
            clock.advance(Duration.ofMillis(5));
            log.line(LogSink.Stream.STDERR, "oops");
            log.executor("exit status 0");
        }

        assertEquals(List.of(
                new TaskLogLine(T0.toEpochMilli(), Origin.EXECUTOR, "container created"),
                new TaskLogLine(T0.toEpochMilli() + 5, Origin.STDOUT, "hello"),
                new TaskLogLine(T0.toEpochMilli() + 10, Origin.STDERR, "oops"),
                new TaskLogLine(T0.toEpochMilli() + 10, Origin.EXECUTOR, "exit status 0")), logs.readAll("t-1"));
    }

    @Test
    void oddTextRoundTrips() throws Exception {
        List<String> texts = List.of("", "tab\there", "new\nline", "cr\r\nlf", "back\\slash \\n not a newline",
                "trailing backslash\\", "ünïcødé ✓ 日本語 🚀", "\t\t", " spaces ", "finished", "1\tfinished\t");
        try (TaskLog log = logs.open("odd")) {
            texts.forEach(text -> log.line(LogSink.Stream.STDOUT, text));
        }

        assertEquals(texts, logs.readAll("odd").stream().map(TaskLogLine::text).toList());
    }

    @Test
    void linesReachTheFileWithoutClosingTheLog() throws Exception {
        try (TaskLog log = logs.open("live")) {
            log.line(LogSink.Stream.STDOUT, "first");

            await().atMost(Duration.ofSeconds(2)).until(() -> logs.readAll("live").size() == 1);
            assertTrue(log.isOpen());
        }
    }

    @Test
    void closingMarksTheLogFinishedOnDisk() throws Exception {
        try (TaskLog log = logs.open("done")) {
            log.line(LogSink.Stream.STDOUT, "x");
        }

        String file = Files.readString(directory.resolve("done.log"));
        assertTrue(file.endsWith(T0.toEpochMilli() + "\tfinished\t\n"), file);
        assertFalse(logs.isOpen("done"));
    }

    @Test
    void followSeesLinesWrittenAfterItStartedAndEndsWhenTheLogFinishes() throws Exception {
        TaskLog log = logs.open("follow");
        log.line(LogSink.Stream.STDOUT, "before");
        List<String> seen = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> follower = CompletableFuture.runAsync(() -> {
            try (LogCursor cursor = logs.read("follow")) {
                cursor.follow(line -> seen.add(line.text()));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });

        await().atMost(Duration.ofSeconds(2)).until(() -> seen.contains("before"));
        log.line(LogSink.Stream.STDERR, "after");
        await().atMost(Duration.ofSeconds(2)).until(() -> seen.contains("after"));
        assertFalse(follower.isDone(), "still following an open log");

        log.executor("exit status 0");
        log.close();
        follower.get(2, TimeUnit.SECONDS);
        assertEquals(List.of("before", "after", "exit status 0"), seen);
    }

    @Test
    void aFollowerOfALogThatNeverFinishesEndsWhenInterrupted() throws Exception {
        TaskLog log = logs.open("forever");
        log.line(LogSink.Stream.STDOUT, "tick");
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        Thread follower = new Thread(() -> {
            try (LogCursor cursor = logs.read("forever")) {
                cursor.follow(line -> { });
            } catch (Throwable e) {
                outcome.set(e);
            }
        });
        follower.start();
        await().atMost(Duration.ofSeconds(2)).until(() -> log.followers() == 1);

        follower.interrupt();

        follower.join(2000);
        assertFalse(follower.isAlive());
        assertTrue(outcome.get() instanceof InterruptedException, String.valueOf(outcome.get()));
        assertEquals(0, log.followers(), "the cursor was closed");
        log.close();
    }

    @Test
    void aLogLeftUnfinishedByAnEarlierProcessIsReadToItsEndAndNotFollowed() throws Exception {
        Files.writeString(directory.resolve("orphan.log"), T0.toEpochMilli() + "\tstdout\tkept\n"
                + "garbage without tabs\n" + T0.toEpochMilli() + "\tstderr\ttorn by a cra", StandardCharsets.UTF_8);
        List<String> seen = new CopyOnWriteArrayList<>();

        try (LogCursor cursor = logs.read("orphan")) {
            cursor.follow(line -> seen.add(line.text()));
            assertTrue(cursor.finished());
        }

        assertEquals(List.of("kept"), seen);
    }

    @Test
    void reopeningATasksLogAppendsToWhatItsEarlierAttemptLeft() throws Exception {
        try (TaskLog first = logs.open("again")) {
            first.line(LogSink.Stream.STDOUT, "attempt 1");
        }
        try (TaskLog second = logs.open("again")) {
            second.line(LogSink.Stream.STDOUT, "attempt 2");
        }

        assertEquals(List.of("attempt 1", "attempt 2"),
                logs.readAll("again").stream().map(TaskLogLine::text).toList());
    }

    @Test
    void aLogOverItsSizeLimitSaysSoOnceAndDropsTheRest() throws Exception {
        logs.close();
        logs = TaskLogs.start(TaskLogSettings.defaults(directory).withMaxLogBytes(100), clock);
        try (TaskLog log = logs.open("chatty")) {
            for (int i = 0; i < 20; i++) {
                log.line(LogSink.Stream.STDOUT, "line " + i);
            }
        }

        List<TaskLogLine> lines = logs.readAll("chatty");
        TaskLogLine last = lines.get(lines.size() - 1);
        assertEquals(Origin.EXECUTOR, last.origin());
        assertTrue(last.text().startsWith("log truncated at 100 bytes"), last.text());
        assertTrue(lines.size() < 20, lines.toString());
    }

    @Test
    void readingATaskWithoutALogOrWithABadGuidFails() {
        assertThrows(NoSuchTaskLogException.class, () -> logs.read("never-ran"));
        assertThrows(IllegalArgumentException.class, () -> logs.read("../etc/passwd"));
        assertThrows(IllegalArgumentException.class, () -> logs.open("a/b"));
    }

    @Test
    void aLogCannotBeOpenedTwiceAtOnce() throws Exception {
        try (TaskLog log = logs.open("once")) {
            assertThrows(IllegalStateException.class, () -> logs.open("once"));
        }
    }

    @Test
    void closingTheLogsEndsFollowersOfLogsStillOpenAndLeavesThemUnfinished() throws Exception {
        TaskLog log = logs.open("running");
        log.line(LogSink.Stream.STDOUT, "partial output");
        CompletableFuture<Void> follower = CompletableFuture.runAsync(() -> {
            try (LogCursor cursor = logs.read("running")) {
                cursor.follow(line -> { });
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(2)).until(() -> log.followers() == 1);

        logs.close();

        follower.get(2, TimeUnit.SECONDS);
        assertFalse(log.isOpen());
        String file = Files.readString(directory.resolve("running.log"));
        assertFalse(file.contains("finished"), file);
        assertTrue(file.contains("partial output"), file);
    }
}
