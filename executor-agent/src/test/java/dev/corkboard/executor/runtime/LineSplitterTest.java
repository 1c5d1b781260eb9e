package dev.corkboard.executor.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineSplitterTest {

    private final List<String> lines = new ArrayList<>();
    private final LineSplitter splitter = new LineSplitter(lines::add);

    private void feed(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        splitter.accept(bytes, 0, bytes.length);
    }

    @Test
    void newlineEndsALineAndACarriageReturnBeforeItIsDropped() {
        feed("one\r\ntwo\n\nthree");
        splitter.finish();

        assertEquals(List.of("one", "two", "", "three"), lines);
    }

    @Test
    void aLineArrivingInSeveralChunksIsOneLine() {
        feed("hel");
        feed("lo\n");

        assertEquals(List.of("hello"), lines);
    }

    @Test
    void aLineOverTheMaximumIsCutIntoPieces() {
        feed("x".repeat(LineSplitter.MAX_LINE_BYTES * 2 + 10) + "\n");

        assertEquals(List.of(LineSplitter.MAX_LINE_BYTES, LineSplitter.MAX_LINE_BYTES, 10),
                lines.stream().map(String::length).toList());
    }

    @Test
    void aCutNeverSplitsAMultiByteCharacter() {
        String euro = "\u20ac"; // three bytes in UTF-8
        feed("x".repeat(LineSplitter.MAX_LINE_BYTES - 1) + euro + "y\n");

        assertEquals(List.of("x".repeat(LineSplitter.MAX_LINE_BYTES - 1), euro + "y"), lines);
    }

    @Test
    void nothingAfterTheLastNewlineMeansNoExtraLine() {
        feed("one\n");
        splitter.finish();

        assertEquals(List.of("one"), lines);
    }
}
