package dev.corkboard.bbs.state;

import static dev.corkboard.bbs.state.Reasons.MAX_BYTES;
import static dev.corkboard.bbs.state.Reasons.TRUNCATION_MARKER;
import static dev.corkboard.bbs.state.TaskFixtures.GUID;
import static dev.corkboard.bbs.state.TaskFixtures.OWNER;
import static dev.corkboard.bbs.state.TaskFixtures.decide;
import static dev.corkboard.bbs.state.TaskFixtures.fail;
import static dev.corkboard.bbs.state.TaskFixtures.failWith;
import static dev.corkboard.bbs.state.TaskFixtures.reject;
import static dev.corkboard.bbs.state.TaskFixtures.running;
import static dev.corkboard.bbs.state.TaskFixtures.written;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corkboard.proto.v1.Task;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Reasons are capped at 1 KiB of UTF-8 with a visible marker, never splitting a character. */
class ReasonsTest {

    private static final int MARKER_BYTES = bytes(TRUNCATION_MARKER);
    private static final String E_ACUTE = "é"; // 2 bytes
    private static final String NICHI = "日"; // 3 bytes
    private static final String EMOJI = "\uD83D\uDE00"; // 😀, 4 bytes, a surrogate pair

    @Test
    void aShortReasonIsReturnedUntouched() {
        String reason = "exit status 1";

        assertSame(reason, Reasons.truncate(reason));
    }

    @Test
    void anEmptyReasonStaysEmpty() {
        assertEquals("", Reasons.truncate(""));
    }

    @Test
    void aReasonOfExactly1024AsciiBytesIsKept() {
        String reason = "x".repeat(1024);

        assertEquals(reason, Reasons.truncate(reason));
    }

    @Test
    void aReasonOf1025AsciiBytesIsCutTo1024BytesEndingWithTheMarker() {
        String truncated = Reasons.truncate("x".repeat(1025));

        assertEquals("x".repeat(MAX_BYTES - MARKER_BYTES) + TRUNCATION_MARKER, truncated);
        assertEquals(1024, bytes(truncated));
    }

    @Test
    void theMarkerIsVisibleText() {
        assertTrue(TRUNCATION_MARKER.contains("truncated"), TRUNCATION_MARKER);
    }

    @ParameterizedTest(name = "{0} x {1} = {2} bytes is kept")
    @CsvSource({
        "é, 512, 1024",
        "日, 341, 1023",
        "\uD83D\uDE00, 256, 1024",
    })
    void multiByteReasonsThatFitExactlyAreKept(String character, int count, int expectedBytes) {
        String reason = character.repeat(count);
        assertEquals(expectedBytes, bytes(reason));

        assertEquals(reason, Reasons.truncate(reason));
    }

    @Test
    void aThreeByteReasonFilledToExactly1024BytesWithAsciiIsKept() {
        String reason = NICHI.repeat(341) + "a"; // 1023 + 1 bytes, 342 chars

        assertEquals(reason, Reasons.truncate(reason));
    }

    @ParameterizedTest(name = "{0} x {1} is cut to {2} whole characters")
    @CsvSource({
        // (1024 - 15) = 1009 byte budget for text before the marker
        "é, 513, 504",
        "日, 342, 336",
        "\uD83D\uDE00, 257, 252",
    })
    void multiByteReasonsOneCharacterTooLongAreCutAtACharacterBoundary(String character, int count, int kept) {
        String truncated = Reasons.truncate(character.repeat(count));

        assertEquals(character.repeat(kept) + TRUNCATION_MARKER, truncated);
        assertTrue(bytes(truncated) <= MAX_BYTES);
    }

    @Test
    void anEmojiPastTheBudgetIsDroppedWholeNotSplitIntoASurrogate() {
        // 1008 ASCII bytes leave 1 byte of budget: not enough for a 4-byte emoji
        String reason = "a".repeat(1008) + EMOJI.repeat(10);

        String truncated = Reasons.truncate(reason);

        assertEquals("a".repeat(1008) + TRUNCATION_MARKER, truncated);
    }

    @ParameterizedTest(name = "padding {0}")
    @ValueSource(ints = {0, 1, 2, 3, 4, 5, 1006, 1007, 1008, 1009, 1010})
    void aTruncatedReasonIsTheLongestWholeCharacterPrefixThatFitsAndIsValidUtf8(int asciiPadding) {
        String reason = "a".repeat(asciiPadding) + (E_ACUTE + NICHI + EMOJI).repeat(200);

        String truncated = Reasons.truncate(reason);

        assertTrue(truncated.endsWith(TRUNCATION_MARKER), truncated);
        assertTrue(bytes(truncated) <= MAX_BYTES, "bytes " + bytes(truncated));
        String prefix = truncated.substring(0, truncated.length() - TRUNCATION_MARKER.length());
        assertTrue(reason.startsWith(prefix));
        assertEquals(truncated, new String(truncated.getBytes(UTF_8), UTF_8), "round trip");
        int nextCodePoint = reason.codePointAt(prefix.length());
        assertTrue(bytes(prefix) + bytes(Character.toString(nextCodePoint)) + MARKER_BYTES > MAX_BYTES,
                "the next character would have fit: prefix is " + bytes(prefix) + " bytes");
    }

    // ---- every stored reason goes through truncation

    private static final String HUGE_REASON = "Caused by: java.io.IOException ".repeat(162).substring(0, 5000);

    @Test
    void aFailReasonOf5000CharactersIsStoredTruncated() {
        Task task = written(decide(running(), fail(HUGE_REASON)));

        assertStoredTruncated(task.getFailureReason());
    }

    @Test
    void aCompleteFailureReasonOf5000CharactersIsStoredTruncated() {
        Task task = written(decide(running(), failWith(OWNER, HUGE_REASON)));

        assertStoredTruncated(task.getFailureReason());
    }

    @Test
    void aRejectReasonOf5000CharactersIsStoredTruncated() {
        Task task = written(decide(running(), reject(OWNER, HUGE_REASON)));

        assertStoredTruncated(task.getRejectionReason());
    }

    @Test
    void aRejectionPastTheLimitStoresTheTruncatedReasonAsTheFailureReason() {
        Task task = written(new TaskLifecycle(0).decide(Optional.of(running()),
                new TaskRequest.Reject(GUID, OWNER, HUGE_REASON), TaskFixtures.NOW));

        assertStoredTruncated(task.getFailureReason());
        assertStoredTruncated(task.getRejectionReason());
    }

    private static void assertStoredTruncated(String stored) {
        assertEquals(Reasons.truncate(HUGE_REASON), stored);
        assertTrue(stored.endsWith(TRUNCATION_MARKER), stored);
        assertTrue(bytes(stored) <= MAX_BYTES, "bytes " + bytes(stored));
        assertTrue(HUGE_REASON.startsWith(stored.substring(0, stored.length() - TRUNCATION_MARKER.length())));
    }

    private static int bytes(String text) {
        return text.getBytes(UTF_8).length;
    }
}
