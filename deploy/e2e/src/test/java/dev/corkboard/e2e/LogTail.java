package dev.corkboard.e2e;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** The last lines of a member's log, so that a failed run explains itself in the build output. */
final class LogTail {

    // a window large enough for 40 JSON log lines with a stack trace; a long log is never read whole
    private static final int MAX_BYTES = 64 * 1024;

    private LogTail() {}

    /** The last {@code lines} lines of the file, or a note saying why there are none. Never throws. */
    static String of(Path file, int lines) {
        try (SeekableByteChannel channel = Files.newByteChannel(file)) {
            long size = channel.size();
            ByteBuffer window = ByteBuffer.allocate((int) Math.min(size, MAX_BYTES));
            channel.position(size - window.capacity());
            while (window.hasRemaining() && channel.read(window) >= 0) {
                // fill the window
            }
            String text = new String(window.array(), 0, window.position(), StandardCharsets.UTF_8);
            if (text.isBlank()) {
                return "(empty)";
            }
            List<String> all = Arrays.asList(text.split("\\R"));
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }
}
