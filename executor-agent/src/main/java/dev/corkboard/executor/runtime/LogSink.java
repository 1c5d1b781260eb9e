package dev.corkboard.executor.runtime;

/** Receives a container's output a line at a time; called from the runtime's reader threads. */
@FunctionalInterface
public interface LogSink {

    enum Stream { STDOUT, STDERR }

    /** One line without its line terminator; very long lines arrive cut into pieces. */
    void line(Stream stream, String text);
}
