package dev.corkboard.executor.logs;

import java.util.Objects;

/**
 * One line of a task's log as it is stored: when the executor read it, where it came from, and its text without a
 * line terminator (it may still contain tabs, carriage returns, newlines or any other character).
 */
public record TaskLogLine(long timestampMs, Origin origin, String text) {

    /** Where a line came from: the task's two output streams, or the executor writing about the task. */
    public enum Origin { STDOUT, STDERR, EXECUTOR }

    public TaskLogLine {
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(text, "text");
    }
}
