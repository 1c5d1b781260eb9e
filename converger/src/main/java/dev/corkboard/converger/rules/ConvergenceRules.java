package dev.corkboard.converger.rules;

import dev.corkboard.bbs.store.TaskRecord;
import dev.corkboard.converger.ConvergerSettings;
import dev.corkboard.proto.v1.Task;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The eight converger rules as a pure function of (record, present executors, now) to at most one {@link Repair}.
 *
 * <p>A threshold is reached when the age of its timestamp is at least the setting: {@code now - t >= setting}. A
 * timestamp in the future (another replica's clock runs ahead) has a negative age and reaches nothing.
 *
 * <table>
 *   <caption>Rules by state, first match wins</caption>
 *   <tr><th>state</th><th>rule</th><th>measured from</th><th>repair</th></tr>
 *   <tr><td>PENDING</td><td>5. older than pendingExpiry</td><td>created_at</td>
 *       <td>fail "not claimed within time limit"</td></tr>
 *   <tr><td>PENDING</td><td>1. not updated for kick</td><td>updated_at</td><td>kick (re-announce)</td></tr>
 *   <tr><td>CLAIMED</td><td>6. executor has no presence</td><td>-</td>
 *       <td>fail "executor disappeared before completion"</td></tr>
 *   <tr><td>CLAIMED</td><td>3. not started within claimTimeout</td><td>claimed_at</td>
 *       <td>demote claim to PENDING</td></tr>
 *   <tr><td>RUNNING</td><td>6. executor has no presence</td><td>-</td>
 *       <td>fail "executor disappeared before completion"</td></tr>
 *   <tr><td>COMPLETED</td><td>7. older than completedExpiry</td><td>first_completed_at</td><td>expire (delete)</td></tr>
 *   <tr><td>COMPLETED</td><td>2. not updated for kick</td><td>updated_at</td><td>kick (re-notify)</td></tr>
 *   <tr><td>RESOLVING</td><td>4. not updated for kick</td><td>updated_at (when resolving began)</td>
 *       <td>demote to COMPLETED</td></tr>
 *   <tr><td>unreadable</td><td>8. does not parse</td><td>-</td><td>prune (delete)</td></tr>
 * </table>
 *
 * Overlaps: a pending task past its expiry fails rather than being kicked again; a claimed task whose executor left
 * fails rather than going back to pending (its executor may have run part of it); a completed task past its expiry is
 * deleted rather than re-notified. A resolving task is never deleted directly: it is demoted first and expires on a
 * later pass, so a stager that is still resolving it is given the kick interval. created_at, claimed_at and
 * first_completed_at never change once set, so repeated demotions cannot keep a task alive past its expiry.
 */
public final class ConvergenceRules {

    public static final String NOT_CLAIMED_IN_TIME = "not claimed within time limit";
    public static final String EXECUTOR_DISAPPEARED = "executor disappeared before completion";

    private final ConvergerSettings settings;

    public ConvergenceRules(ConvergerSettings settings) {
        this.settings = settings;
    }

    /** The repairs a page of records needs, in the page's order. */
    public List<Repair> decide(List<TaskRecord> records, Set<String> presentExecutors, Instant now) {
        List<Repair> repairs = new ArrayList<>();
        for (TaskRecord record : records) {
            decide(record, presentExecutors, now).ifPresent(repairs::add);
        }
        return repairs;
    }

    /** The repair one record needs, if any. */
    public Optional<Repair> decide(TaskRecord record, Set<String> presentExecutors, Instant now) {
        if (record instanceof TaskRecord.Unreadable unreadable) {
            return Optional.of(new Repair.Prune(unreadable));
        }
        TaskRecord.Readable readable = (TaskRecord.Readable) record;
        Task task = readable.task();
        long nowMs = now.toEpochMilli();
        switch (task.getState()) {
            case PENDING:
                if (reached(task.getCreatedAtMs(), settings.pendingExpiry(), nowMs)) {
                    return Optional.of(new Repair.Fail(readable, NOT_CLAIMED_IN_TIME));
                }
                return reached(task.getUpdatedAtMs(), settings.kick(), nowMs)
                        ? Optional.of(new Repair.Kick(readable)) : Optional.empty();
            case CLAIMED:
                if (!presentExecutors.contains(task.getExecutorId())) {
                    return Optional.of(new Repair.Fail(readable, EXECUTOR_DISAPPEARED));
                }
                return reached(claimedAt(task), settings.claimTimeout(), nowMs)
                        ? Optional.of(new Repair.DemoteClaim(readable)) : Optional.empty();
            case RUNNING:
                return presentExecutors.contains(task.getExecutorId()) ? Optional.empty()
                        : Optional.of(new Repair.Fail(readable, EXECUTOR_DISAPPEARED));
            case COMPLETED:
                if (reached(firstCompletedAt(task), settings.completedExpiry(), nowMs)) {
                    return Optional.of(new Repair.Expire(readable));
                }
                return reached(task.getUpdatedAtMs(), settings.kick(), nowMs)
                        ? Optional.of(new Repair.Kick(readable)) : Optional.empty();
            case RESOLVING:
                return reached(task.getUpdatedAtMs(), settings.kick(), nowMs)
                        ? Optional.of(new Repair.DemoteResolving(readable)) : Optional.empty();
            default:
                // the store reports unknown states as unreadable; nothing else reaches here
                return Optional.empty();
        }
    }

    private static boolean reached(long sinceMs, Duration threshold, long nowMs) {
        return nowMs - sinceMs >= threshold.toMillis();
    }

    /** Every claim sets claimed_at; a record without one (written by hand) counts from its last update. */
    private static long claimedAt(Task task) {
        return task.getClaimedAtMs() != 0 ? task.getClaimedAtMs() : task.getUpdatedAtMs();
    }

    /** Every completion sets first_completed_at; a record without one counts from its last update. */
    private static long firstCompletedAt(Task task) {
        return task.getFirstCompletedAtMs() != 0 ? task.getFirstCompletedAtMs() : task.getUpdatedAtMs();
    }
}
