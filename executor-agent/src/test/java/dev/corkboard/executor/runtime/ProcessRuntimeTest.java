package dev.corkboard.executor.runtime;

import static dev.corkboard.executor.runtime.RuntimeFixture.read;
import static dev.corkboard.executor.runtime.RuntimeFixture.run;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessRuntimeTest {

    @TempDir
    Path workDir;

    RuntimeFixture fixture;
    ContainerRuntime runtime;
    final CapturedOutput output = new CapturedOutput();
    Process bystander;

    @BeforeEach
    void openRuntime() {
        fixture = new RuntimeFixture(workDir, "process");
        runtime = fixture.runtime;
    }

    @AfterEach
    void destroyEverything() {
        fixture.close();
        if (bystander != null) {
            bystander.destroyForcibly();
        }
    }

    @Test
    void exitStatusAndOutputLinesReachTheSink() throws Exception {
        try (Container container = runtime.create(SpecBuilder.shell(fixture.handle(),
                "echo one; echo two >&2; printf 'no newline'; exit 7").build())) {
            assertEquals(new ExitOutcome.Exited(7), run(container, output).get(30, TimeUnit.SECONDS));
        }
        assertEquals(List.of("one", "no newline"), output.stdout());
        assertEquals(List.of("two"), output.stderr());
    }

    @Test
    void longLinesArriveCutInto16KiBPieces() throws Exception {
        try (Container container = runtime.create(SpecBuilder.shell(fixture.handle(),
                "head -c 40000 /dev/zero | tr '\\0' a; echo; echo short").build())) {
            assertEquals(new ExitOutcome.Exited(0), run(container, output).get(30, TimeUnit.SECONDS));
        }
        assertEquals(List.of(16384, 16384, 7232, 5), output.stdout().stream().map(String::length).toList());
    }

    @Test
    void environmentIsAsGivenAndTheTaskDirectoryIsTheDefaultWorkingDirectory() throws Exception {
        Container container = runtime.create(SpecBuilder.shell(fixture.handle(),
                "{ pwd; echo \"$GREETING\"; echo \"$HOME\"; env | grep -c JAVA_HOME; } > result.txt; true")
                .env("GREETING", "hello").build());

        assertEquals(new ExitOutcome.Exited(0), run(container, output).get(30, TimeUnit.SECONDS));

        Path taskDir = container.hostPath("/task").orElseThrow();
        assertEquals(List.of(taskDir.toString(), "hello", taskDir.toString(), "0"),
                read(container, "/task/result.txt").lines().toList());
        container.close();
    }

    @Test
    void runningPastTheTimeoutIsTimedOutAndTheWholeSessionKilled() throws Exception {
        Container container = runtime.create(SpecBuilder.shell(fixture.handle(),
                "sleep 1000 & echo $! > child; wait").timeout(Duration.ofMillis(300)).build());

        CompletableFuture<ExitOutcome> outcome = run(container, output);

        await().atMost(Duration.ofSeconds(5)).until(outcome::isDone);
        assertEquals(new ExitOutcome.TimedOut(Duration.ofMillis(300)), outcome.get());
        assertGone(Long.parseLong(read(container, "child").trim()));
        container.close();
    }

    @Test
    void stopFromAnotherThreadEndsTheWholeSessionWithinASecond() throws Exception {
        Container container = runtime.create(SpecBuilder.shell(fixture.handle(),
                "sleep 1000 & echo $! > child; sleep 1000").build());
        CompletableFuture<ExitOutcome> outcome = run(container, output);
        Path child = container.hostPath("child").orElseThrow();
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(child) && Files.size(child) > 0);

        container.stop(Duration.ofSeconds(30), "cancelled");

        await().atMost(Duration.ofSeconds(1)).until(outcome::isDone);
        assertEquals(new ExitOutcome.Stopped("cancelled"), outcome.get());
        assertGone(Long.parseLong(Files.readString(child).trim()));
        container.close();
    }

    @Test
    void aFreshRuntimeKillsTheLeftoverSessionAndDeletesTheDirectory() throws Exception {
        String handle = fixture.handle();
        Container container = runtime.create(SpecBuilder.shell(handle, "sleep 1000 & echo $! > child; sleep 1000")
                .build());
        CompletableFuture<ExitOutcome> outcome = run(container, output);
        Path child = container.hostPath("child").orElseThrow();
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(child) && Files.size(child) > 0);
        long childPid = Long.parseLong(Files.readString(child).trim());

        ContainerRuntime restarted = fixture.reopen();
        assertEquals(List.of(handle), restarted.listOwned());
        restarted.destroy(handle);

        assertGone(childPid);
        await().atMost(Duration.ofSeconds(5)).until(outcome::isDone);
        assertFalse(Files.exists(workDir.resolve("containers").resolve(handle)));
        assertEquals(List.of(), restarted.listOwned());
    }

    @Test
    void destroyLeavesAProcessAloneWhoseStartTimeDiffersFromThePidFile() throws Exception {
        String handle = fixture.handle();
        runtime.create(SpecBuilder.command(handle, "true").build());
        bystander = new ProcessBuilder("/usr/bin/setsid", "sleep", "1000").start();
        long recordedStart = ProcStat.read(bystander.pid()).orElseThrow().startTicks() - 1;
        Files.writeString(workDir.resolve("containers").resolve(handle).resolve("pid"),
                bystander.pid() + " " + recordedStart + "\n");

        fixture.reopen().destroy(handle);

        assertTrue(bystander.isAlive());
        assertFalse(Files.exists(workDir.resolve("containers").resolve(handle)));
    }

    /** Dead: no such process, or a zombie waiting for its new parent to reap it. */
    private static void assertGone(long pid) {
        await().atMost(Duration.ofSeconds(5))
                .until(() -> ProcStat.read(pid).map(stat -> stat.state() == 'Z').orElse(true));
    }
}
