package dev.corkboard.stager.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corkboard.proto.v1.TaskDefinition;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** How the desire command turns flags or a JSON file into a task definition (no BBS involved). */
class DesireCommandTest {

    @TempDir
    Path dir;

    private static DesireCommand parse(String... args) {
        DesireCommand desire = new DesireCommand();
        new CommandLine(desire).parseArgs(args);
        return desire;
    }

    @Test
    void flagsAndTheCommandAfterTheDoubleDashMakeTheDefinition() throws Exception {
        TaskDefinition definition = parse("--domain", "builds", "--memory-mb", "256", "--disk-mb", "512",
                "--max-pids", "64", "--timeout", "90s", "--result-file", "out/result.txt", "--env", "A=1",
                "--env", "B=two=2", "--tag", "ssd", "--tag", "eu", "--callback-url", "http://stager:8080/done",
                "--annotation", "note", "--runtime", "sandbox", "--", "sh", "-c", "echo hi > out/result.txt")
                .definition();

        assertEquals("sh", definition.getCommand().getPath());
        assertEquals(List.of("-c", "echo hi > out/result.txt"), definition.getCommand().getArgsList());
        assertEquals(256, definition.getResources().getMemoryMb());
        assertEquals(512, definition.getResources().getDiskMb());
        assertEquals(64, definition.getResources().getMaxPids());
        assertEquals(90_000, definition.getTimeoutMs());
        assertEquals("out/result.txt", definition.getResultFile());
        assertEquals("B", definition.getCommand().getEnv(1).getName());
        assertEquals("two=2", definition.getCommand().getEnv(1).getValue());
        assertEquals(List.of("ssd", "eu"), definition.getPlacementTagsList());
        assertEquals("http://stager:8080/done", definition.getCompletionCallbackUrl());
        assertEquals("note", definition.getAnnotation());
        assertEquals("sandbox", definition.getRuntime());
    }

    @Test
    void aJsonFileGivesTheWholeDefinition() throws Exception {
        Path file = dir.resolve("task.json");
        Files.writeString(file, """
                {"command": {"path": "/bin/true", "args": ["x"]}, "resources": {"memoryMb": 64},
                 "timeoutMs": "5000", "placementTags": ["gpu"]}""");

        TaskDefinition definition = parse("--domain", "d", "--file", file.toString()).definition();

        assertEquals("/bin/true", definition.getCommand().getPath());
        assertEquals(64, definition.getResources().getMemoryMb());
        assertEquals(5000, definition.getTimeoutMs());
        assertEquals(List.of("gpu"), definition.getPlacementTagsList());
    }

    @Test
    void withoutACommandOrAFileItSaysHowToGiveOne() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> parse("--domain", "d").definition());

        assertTrue(e.getMessage().contains("give one after --"), e.getMessage());
    }
}
