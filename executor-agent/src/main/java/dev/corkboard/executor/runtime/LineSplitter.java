package dev.corkboard.executor.runtime;

import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Cuts a byte stream into lines: {@code \n} ends a line (a {@code \r} before it is dropped), a line longer than
 * {@link #MAX_LINE_BYTES} is cut into pieces at a UTF-8 character boundary, and what is left at the end of the
 * stream is a last line. Bytes that are not UTF-8 become U+FFFD. Not thread-safe: one splitter per stream.
 */
final class LineSplitter {

    static final int MAX_LINE_BYTES = 16 * 1024;

    private final byte[] line = new byte[MAX_LINE_BYTES];
    private final Consumer<String> lines;
    private int length;

    LineSplitter(Consumer<String> lines) {
        this.lines = lines;
    }

    void accept(byte[] chunk, int offset, int count) {
        for (int i = offset; i < offset + count; i++) {
            byte b = chunk[i];
            if (b == '\n') {
                emit(length > 0 && line[length - 1] == '\r' ? length - 1 : length);
                length = 0;
            } else {
                if (length == MAX_LINE_BYTES) {
                    cut(b);
                }
                line[length++] = b;
            }
        }
    }

    /** End of stream: the unterminated rest, if any, is a line. */
    void finish() {
        if (length > 0) {
            emit(length);
            length = 0;
        }
    }

    /** The buffer is full and {@code next} comes: emit a piece that does not end inside a multi-byte character. */
    private void cut(byte next) {
        int at = MAX_LINE_BYTES;
        if (isContinuation(next)) {
            int lead = MAX_LINE_BYTES - 1;
            while (lead > MAX_LINE_BYTES - 4 && isContinuation(line[lead])) {
                lead--;
            }
            if (!isContinuation(line[lead])) {
                at = lead;
            }
        }
        emit(at);
        System.arraycopy(line, at, line, 0, MAX_LINE_BYTES - at);
        length = MAX_LINE_BYTES - at;
    }

    private void emit(int count) {
        lines.accept(new String(line, 0, count, StandardCharsets.UTF_8));
    }

    private static boolean isContinuation(byte b) {
        return (b & 0xC0) == 0x80;
    }
}
