package dev.corkboard.executor.logs;

import java.util.List;

/**
 * What one run of the retention rules deleted.
 *
 * @param tooOld guids of logs deleted because they ended more than the maximum age ago
 * @param overSize guids of logs deleted, oldest first, to bring all logs under the maximum total size
 * @param keptBytes the size of the logs left on disk
 */
public record RetentionSweep(List<String> tooOld, List<String> overSize, long keptBytes) {

    public RetentionSweep {
        tooOld = List.copyOf(tooOld);
        overSize = List.copyOf(overSize);
    }
}
