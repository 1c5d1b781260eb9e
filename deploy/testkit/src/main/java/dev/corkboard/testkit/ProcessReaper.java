package dev.corkboard.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Cleans up after members nobody closed when the JVM exits, e.g. because a test run was aborted or
 * a test forgot {@code close()}: a leftover etcd would hold its ports, and its directory would
 * fill /tmp, long after the build. Cannot help when the JVM itself is SIGKILLed.
 */
final class ProcessReaper {

    // Bounded, so a wedged process cannot hold up the JVM's exit.
    private static final long EXIT_WAIT_MILLIS = 2_000;

    private static final Set<Process> processes = ConcurrentHashMap.newKeySet();
    private static final Set<Path> directories = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ProcessReaper::reap, "corkboard-etcd-reaper"));
    }

    private ProcessReaper() {}

    static void watch(Process process) {
        processes.add(process);
    }

    static void release(Process process) {
        processes.remove(process);
    }

    static void watch(Path directory) {
        directories.add(directory);
    }

    static void release(Path directory) {
        directories.remove(directory);
    }

    private static void reap() {
        // No logging here: the logging backend may already be shutting down in another hook.
        processes.forEach(Process::destroyForcibly);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(EXIT_WAIT_MILLIS);
        for (Process process : processes) {
            try {
                process.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        directories.forEach(ProcessReaper::deleteQuietly);
    }

    private static void deleteQuietly(Path top) {
        try (Stream<Path> paths = Files.walk(top)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException | RuntimeException e) {
            // best effort: the JVM is exiting anyway
        }
    }
}
