package dev.corkboard.executor.logs;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Which task logs to delete, as a pure function of the logs on disk and the time: first every log that is not open
 * and ended more than {@code maxAge} ago; then, while all logs together (open ones included) are larger than
 * {@code maxTotalBytes}, the log that ended first among those not open. An open log is never chosen, even when the
 * open logs alone are over the limit.
 */
record LogRetention(Duration maxAge, long maxTotalBytes) {

    /**
     * One log file.
     *
     * @param endedAt when its finished marker was written; for a log an earlier agent left unfinished, when the file
     *     was last written
     */
    record StoredLog(String taskGuid, long bytes, Instant endedAt, boolean open) {}

    record Decision(List<StoredLog> tooOld, List<StoredLog> overSize, long keptBytes) {}

    Decision decide(List<StoredLog> logs, Instant now) {
        Instant oldestKept = now.minus(maxAge);
        List<StoredLog> tooOld = new ArrayList<>();
        List<StoredLog> kept = new ArrayList<>();
        for (StoredLog log : logs) {
            (!log.open() && log.endedAt().isBefore(oldestKept) ? tooOld : kept).add(log);
        }
        long keptBytes = kept.stream().mapToLong(StoredLog::bytes).sum();
        List<StoredLog> overSize = new ArrayList<>();
        List<StoredLog> candidates = kept.stream().filter(log -> !log.open())
                .sorted(Comparator.comparing(StoredLog::endedAt).thenComparing(StoredLog::taskGuid)).toList();
        for (StoredLog log : candidates) {
            if (keptBytes <= maxTotalBytes) {
                break;
            }
            overSize.add(log);
            keptBytes -= log.bytes();
        }
        return new Decision(tooOld, overSize, keptBytes);
    }
}
