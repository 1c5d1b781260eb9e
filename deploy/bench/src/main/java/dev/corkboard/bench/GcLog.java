package dev.corkboard.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Heap figures from a JVM's unified GC log ({@code -Xlog:gc:file=...}), whose lines end a collection with
 * {@code 45M->12M(64M)}: heap used before, after, and committed. Reading the log costs the observed JVM nothing,
 * where an agent or a metrics scrape would run inside it.
 */
final class GcLog {

    static final String FILE_NAME = "gc.log";

    private static final Pattern COLLECTION = Pattern.compile("(\\d+)([KMG])->(\\d+)([KMG])\\((\\d+)([KMG])\\)");

    private GcLog() {}

    /**
     * @param collections collections logged so far
     * @param peakBeforeMb the most heap in use when any collection began: the high-water mark, garbage included
     * @param lastAfterMb heap in use after the latest collection; NaN before the first
     */
    record Figures(int collections, double peakBeforeMb, double lastAfterMb) {}

    static Figures read(Path log) throws IOException {
        List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
        int collections = 0;
        double peak = Double.NaN;
        double last = Double.NaN;
        for (String line : lines) {
            Matcher collection = COLLECTION.matcher(line);
            if (collection.find()) {
                collections++;
                double before = megabytes(collection.group(1), collection.group(2));
                peak = Double.isNaN(peak) ? before : Math.max(peak, before);
                last = megabytes(collection.group(3), collection.group(4));
            }
        }
        return new Figures(collections, peak, last);
    }

    private static double megabytes(String amount, String unit) {
        double value = Double.parseDouble(amount);
        return switch (unit) {
            case "K" -> value / 1024;
            case "G" -> value * 1024;
            default -> value;
        };
    }
}
