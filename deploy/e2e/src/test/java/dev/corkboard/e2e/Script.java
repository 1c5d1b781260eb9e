package dev.corkboard.e2e;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs one of the repository's scripts from its root, as a user would. The output goes to a file rather than a pipe:
 * the cluster members a script starts are detached, and they could otherwise hold the pipe open after it has exited.
 */
final class Script {

    private Script() {}

    /**
     * Runs {@code command} (its first element relative to the repository root) with these extra environment
     * variables, keeping what it prints in {@code output}; returns that, or fails with it unless the script exits 0
     * within {@code timeout}.
     */
    static String run(List<String> command, Map<String, String> environment, Path output, Duration timeout) {
        List<String> argv = new ArrayList<>(command);
        argv.set(0, root().resolve(command.get(0)).toString());
        ProcessBuilder builder = new ProcessBuilder(argv).directory(root().toFile())
                .redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().putAll(environment);
        try {
            Process process = builder.start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                fail(String.join(" ", command) + " did not finish within " + timeout + ":\n"
                        + Files.readString(output));
            }
            String printed = Files.readString(output);
            if (process.exitValue() != 0) {
                fail(String.join(" ", command) + " exited " + process.exitValue() + ":\n" + printed);
            }
            return printed;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + command, e);
        }
    }

    /** The repository's root, which holds {@code deploy/}. */
    static Path root() {
        return Path.of(System.getProperty("corkboard.root", "../..")).toAbsolutePath().normalize();
    }
}
