package dev.corkboard.executor.runtime;

import java.time.Duration;

/** How a container's main process ended. */
public sealed interface ExitOutcome {

    /** Whether the task succeeded. */
    default boolean succeeded() {
        return this instanceof Exited exited && exited.status() == 0;
    }

    /** The failure reason recorded in the completed task; empty on success. */
    String reason();

    /** The process exited by itself (a signal it did not get from a limit counts as 128 + signal). */
    record Exited(int status) implements ExitOutcome {
        @Override
        public String reason() {
            return status == 0 ? "" : "exit status " + status;
        }
    }

    /** The kernel killed it at the memory limit (read from the cgroup, not guessed from the exit status). */
    record OutOfMemory(int limitMb) implements ExitOutcome {
        @Override
        public String reason() {
            return "out of memory (limit " + limitMb + " MB)";
        }
    }

    /** It hit the process limit (read from the cgroup's pids events) and ended unsuccessfully. */
    record PidsLimit(int maxPids, int status) implements ExitOutcome {
        @Override
        public String reason() {
            return "process limit reached (max " + maxPids + " pids), exit status " + status;
        }
    }

    /** It ran past its timeout and was killed. */
    record TimedOut(Duration timeout) implements ExitOutcome {
        @Override
        public String reason() {
            return "timed out after " + human(timeout);
        }
    }

    /** It was stopped from outside (cancellation, executor shutdown); the reason says why. */
    record Stopped(String reason) implements ExitOutcome {}

    private static String human(Duration duration) {
        long ms = duration.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + "s" : ms + "ms";
    }
}
