package dev.corkboard.converger;

import dev.corkboard.bbs.store.ConditionalOutcome;
import dev.corkboard.bbs.store.TaskRecord;
import dev.corkboard.converger.rules.Repair;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/** Counts of one pass, updated from the pass thread and from etcd client threads. */
final class PassTally {

    private final LongAdder kicked = new LongAdder();
    private final LongAdder demoted = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder expired = new LongAdder();
    private final LongAdder pruned = new LongAdder();
    private final LongAdder lost = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private long pending;
    private long claimed;
    private long running;
    private long completed;
    private long resolving;
    private long unreadable;

    /** Counts a page's records by state; called from the pass thread only. */
    void count(List<TaskRecord> records) {
        for (TaskRecord record : records) {
            if (!(record instanceof TaskRecord.Readable readable)) {
                unreadable++;
                continue;
            }
            switch (readable.task().getState()) {
                case PENDING -> pending++;
                case CLAIMED -> claimed++;
                case RUNNING -> running++;
                case COMPLETED -> completed++;
                case RESOLVING -> resolving++;
                default -> unreadable++;
            }
        }
    }

    void settle(Repair repair, ConditionalOutcome outcome) {
        if (outcome instanceof ConditionalOutcome.Lost) {
            lost.increment();
        } else if (outcome instanceof ConditionalOutcome.Refused || outcome instanceof ConditionalOutcome.Unchanged) {
            refused.increment();
        } else if (outcome instanceof ConditionalOutcome.Written || outcome instanceof ConditionalOutcome.Removed) {
            landed(repair).increment();
        }
    }

    void error() {
        errors.increment();
    }

    private LongAdder landed(Repair repair) {
        if (repair instanceof Repair.Kick) {
            return kicked;
        } else if (repair instanceof Repair.DemoteClaim || repair instanceof Repair.DemoteResolving) {
            return demoted;
        } else if (repair instanceof Repair.Fail) {
            return failed;
        } else if (repair instanceof Repair.Expire) {
            return expired;
        }
        return pruned;
    }

    PassReport.RepairCounts repairs() {
        return new PassReport.RepairCounts(kicked.sum(), demoted.sum(), failed.sum(), expired.sum(), pruned.sum(),
                lost.sum(), refused.sum(), errors.sum());
    }

    PassReport.TaskCounts tasks() {
        return new PassReport.TaskCounts(pending, claimed, running, completed, resolving, unreadable);
    }
}
