package dev.corkboard.bbs.state;

import java.nio.charset.StandardCharsets;

/** Failure and rejection reasons are bounded so a chatty executor cannot bloat a record. */
public final class Reasons {

    /** Longest reason stored, in UTF-8 bytes, marker included. */
    public static final int MAX_BYTES = 1024;

    /** Appended to a truncated reason so a reader knows text is missing. */
    public static final String TRUNCATION_MARKER = "… [truncated]";

    private static final int MARKER_BYTES = TRUNCATION_MARKER.getBytes(StandardCharsets.UTF_8).length;

    private Reasons() {}

    /** The reason itself when it fits in {@link #MAX_BYTES}; otherwise its longest prefix that fits with the marker. */
    public static String truncate(String reason) {
        if (reason.length() * 3 <= MAX_BYTES || utf8Length(reason) <= MAX_BYTES) {
            return reason;
        }
        int budget = MAX_BYTES - MARKER_BYTES;
        int bytes = 0;
        int end = 0;
        // walk whole code points so a surrogate pair is never split
        while (end < reason.length()) {
            int codePoint = reason.codePointAt(end);
            int size = utf8Size(codePoint);
            if (bytes + size > budget) {
                break;
            }
            bytes += size;
            end += Character.charCount(codePoint);
        }
        return reason.substring(0, end) + TRUNCATION_MARKER;
    }

    private static int utf8Length(String text) {
        int bytes = 0;
        for (int i = 0; i < text.length(); ) {
            int codePoint = text.codePointAt(i);
            bytes += utf8Size(codePoint);
            i += Character.charCount(codePoint);
        }
        return bytes;
    }

    private static int utf8Size(int codePoint) {
        if (codePoint < 0x80) {
            return 1;
        } else if (codePoint < 0x800) {
            return 2;
        } else if (codePoint < 0x10000) {
            return 3;
        }
        return 4;
    }
}
