package dev.corkboard.testkit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** The last lines of a member's log, for failure messages. */
final class LogTail {

    // Enough for 30 lines of zap JSON including a Go stack trace; never read a huge log whole.
    private static final int MAX_BYTES = 64 * 1024;

    private LogTail() {}

    /** The last {@code lines} lines, or a note saying why there are none. Never throws. */
    static String of(Path logFile, int lines) {
        try (SeekableByteChannel channel = Files.newByteChannel(logFile)) {
            long size = channel.size();
            int length = (int) Math.min(size, MAX_BYTES);
            ByteBuffer buffer = ByteBuffer.allocate(length);
            channel.position(size - length);
            while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
                // keep reading until the window is full
            }
            String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
            List<String> all = Arrays.asList(text.split("\\R"));
            if (all.size() == 1 && all.get(0).isEmpty()) {
                return "(log is empty)";
            }
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read " + logFile + ": " + e + ")";
        }
    }
}
