package dev.corkboard.executor.agent;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** Reads a task's result: the first {@value #MAX_BYTES} bytes of its result file, as UTF-8 of at most that size. */
final class ResultFile {

    static final int MAX_BYTES = 10 * 1024;

    private ResultFile() {}

    /**
     * The result text; empty when the file does not exist or is not a regular file. Bytes that are not UTF-8 become
     * U+FFFD, and the text is cut (at a character boundary) to fit {@value #MAX_BYTES} bytes again.
     */
    static String read(Path file) throws IOException {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return "";
        }
        byte[] head;
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            head = in.readNBytes(MAX_BYTES);
        }
        CharBuffer text = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE)
                .decode(ByteBuffer.wrap(head));
        return fit(text.toString());
    }

    /** Cuts whole code points off the end until the UTF-8 encoding fits. */
    static String fit(String text) {
        int bytes = 0;
        int index = 0;
        while (index < text.length()) {
            int codePoint = text.codePointAt(index);
            int size = codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
            if (bytes + size > MAX_BYTES) {
                return text.substring(0, index);
            }
            bytes += size;
            index += Character.charCount(codePoint);
        }
        return text;
    }
}
