package dev.corkboard.executor.logs;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * How a task log file reads: UTF-8, one record per line, {@code <epoch ms> TAB <kind> TAB <text>} where kind is
 * {@code stdout}, {@code stderr}, {@code executor} or {@code finished} (the marker written when the log was closed;
 * its text is empty). In the text a backslash, newline, carriage return and tab are written {@code \\}, {@code \n},
 * {@code \r}, {@code \t}, so a raw newline byte only ever ends a record and a reader can split the bytes on it before
 * decoding them (UTF-8 never uses 0x0A inside a character). A lone surrogate in the text is stored as a
 * question mark, as Java and protobuf encode it.
 */
final class LogFileFormat {

    static final String FINISHED = "finished";

    /** What one stored record is. */
    sealed interface Entry {
        record Line(TaskLogLine line) implements Entry {}

        record Finished(long timestampMs) implements Entry {}

        /** A record that does not parse (a torn or foreign line): readers skip it. */
        record Unreadable(String record) implements Entry {}
    }

    private LogFileFormat() {}

    static byte[] line(TaskLogLine line) {
        return record(line.timestampMs(), line.origin().name().toLowerCase(Locale.ROOT), line.text());
    }

    static byte[] finished(long timestampMs) {
        return record(timestampMs, FINISHED, "");
    }

    private static byte[] record(long timestampMs, String kind, String text) {
        StringBuilder out = new StringBuilder(text.length() + 32);
        out.append(timestampMs).append('\t').append(kind).append('\t');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> out.append(c);
            }
        }
        return out.append('\n').toString().getBytes(StandardCharsets.UTF_8);
    }

    /** One record without its terminating newline. */
    static Entry parse(String record) {
        int first = record.indexOf('\t');
        int second = first < 0 ? -1 : record.indexOf('\t', first + 1);
        if (second < 0) {
            return new Entry.Unreadable(record);
        }
        long timestampMs;
        try {
            timestampMs = Long.parseLong(record.substring(0, first));
        } catch (NumberFormatException e) {
            return new Entry.Unreadable(record);
        }
        String kind = record.substring(first + 1, second);
        if (kind.equals(FINISHED)) {
            return new Entry.Finished(timestampMs);
        }
        TaskLogLine.Origin origin;
        try {
            origin = TaskLogLine.Origin.valueOf(kind.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return new Entry.Unreadable(record);
        }
        return new Entry.Line(new TaskLogLine(timestampMs, origin, unescape(record, second + 1)));
    }

    private static String unescape(String record, int from) {
        StringBuilder text = new StringBuilder(record.length() - from);
        for (int i = from; i < record.length(); i++) {
            char c = record.charAt(i);
            if (c != '\\' || i + 1 == record.length()) {
                text.append(c);
                continue;
            }
            char next = record.charAt(++i);
            switch (next) {
                case 'n' -> text.append('\n');
                case 'r' -> text.append('\r');
                case 't' -> text.append('\t');
                case '\\' -> text.append('\\');
                default -> text.append('\\').append(next);
            }
        }
        return text.toString();
    }
}
