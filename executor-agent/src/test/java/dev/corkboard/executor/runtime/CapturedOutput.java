package dev.corkboard.executor.runtime;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A log sink that keeps every line, for assertions. */
final class CapturedOutput implements LogSink {

    record Line(Stream stream, String text) {}

    private final List<Line> lines = new CopyOnWriteArrayList<>();

    @Override
    public void line(Stream stream, String text) {
        lines.add(new Line(stream, text));
    }

    List<String> stdout() {
        return of(Stream.STDOUT);
    }

    List<String> stderr() {
        return of(Stream.STDERR);
    }

    private List<String> of(Stream stream) {
        return lines.stream().filter(line -> line.stream() == stream).map(Line::text).toList();
    }
}
