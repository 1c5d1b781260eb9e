package dev.corkboard.converger;

import java.time.Duration;
import java.time.Instant;

/**
 * What one pass saw and did.
 *
 * @param ending how the pass ended
 * @param revision the etcd revision of the pass's snapshot (0 if it could not read one)
 * @param startedAt when it started, by the converger's clock
 * @param duration how long it took
 * @param repairs the repairs that landed, and those that did not
 * @param tasks the records of the snapshot by state, as far as the pass got
 * @param presentExecutors executors present at the snapshot revision
 */
public record PassReport(Ending ending, long revision, Instant startedAt, Duration duration, RepairCounts repairs,
        TaskCounts tasks, int presentExecutors) {

    /** How a pass ended. */
    public sealed interface Ending {
        /** Every page was read and every repair attempted. */
        record Completed() implements Ending {}

        /** A fenced write was refused: this converger no longer leads; the pass stopped at once. */
        record Deposed() implements Ending {}

        /** etcd could not be read; the next pass starts over. */
        record Failed(String problem) implements Ending {}
    }

    /**
     * Repairs by kind that landed; {@code lost} found their task changed since the snapshot (decided again next
     * pass), {@code refused} were illegal on the record as read, {@code errors} got no answer from etcd in time.
     */
    public record RepairCounts(long kicked, long demoted, long failed, long expired, long pruned, long lost,
            long refused, long errors) {

        public long landed() {
            return kicked + demoted + failed + expired + pruned;
        }
    }

    /** Records of the snapshot by state; unreadable ones are pruned. */
    public record TaskCounts(long pending, long claimed, long running, long completed, long resolving,
            long unreadable) {

        public long total() {
            return pending + claimed + running + completed + resolving + unreadable;
        }
    }
}
