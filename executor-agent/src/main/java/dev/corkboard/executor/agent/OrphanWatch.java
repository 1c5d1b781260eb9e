package dev.corkboard.executor.agent;

import dev.corkboard.proto.v1.GetTaskRequest;
import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskState;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settles tasks the BBS counts as this executor's but that run nowhere here, while the agent runs: a ClaimNext whose
 * answer was lost (the replica died after the claim, the deadline passed) leaves a task Claimed for this executor that
 * the agent never heard of, and the converger would only demote it after its claim timeout. When the executor's task
 * stream shows such a task, it is looked at again after a grace (an answer may just be late); if it is still claimed
 * or running for this executor, untracked and without a spooled result, a claimed one is rejected back to Pending and
 * a running one completes as failed. A late ClaimNext answer for a task rejected this way is harmless: StartTask is
 * then refused, and nothing runs.
 */
final class OrphanWatch implements AutoCloseable {

    static final String NEVER_RECEIVED = "claimed for this executor, but the claim never reached it";
    static final String LOST_TRACK = "executor lost track of the running task";

    private static final Logger log = LoggerFactory.getLogger(OrphanWatch.class);

    private final BbsLink bbs;
    private final String executorId;
    private final Duration grace;
    private final Predicate<String> tracked;
    private final Reconciliation reconciliation;
    private final Set<String> scheduled = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "corkboard-orphans");
        thread.setDaemon(true);
        return thread;
    });

    /**
     * @param tracked whether the agent runs the task, or holds its result in the spool: such a task is no orphan
     */
    OrphanWatch(BbsLink bbs, String executorId, Duration grace, Predicate<String> tracked) {
        this.bbs = bbs;
        this.executorId = executorId;
        this.grace = grace;
        this.tracked = tracked;
        this.reconciliation = new Reconciliation(bbs, executorId);
    }

    /** Looks at a task from the stream; schedules a second look when it may be an orphan. */
    void seen(Task task) {
        boolean ours = task.getExecutorId().equals(executorId)
                && (task.getState() == TaskState.CLAIMED || task.getState() == TaskState.RUNNING);
        if (!ours || tracked.test(task.getGuid()) || !scheduled.add(task.getGuid())) {
            return;
        }
        try {
            timer.schedule(() -> check(task.getGuid()), grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            scheduled.remove(task.getGuid());
        }
    }

    private void check(String guid) {
        scheduled.remove(guid);
        if (tracked.test(guid)) {
            return;
        }
        Task task;
        try {
            task = bbs.tasks().getTask(GetTaskRequest.newBuilder().setGuid(guid).build()).getTask();
        } catch (StatusRuntimeException e) {
            // gone, or no BBS now: the next snapshot of the stream brings it up again if it still matters
            return;
        }
        if (!task.getExecutorId().equals(executorId) || tracked.test(guid)) {
            return;
        }
        try {
            if (task.getState() == TaskState.CLAIMED) {
                log.warn("task {} is claimed for this executor but never reached it; rejecting it", guid);
                reconciliation.reject(guid, NEVER_RECEIVED);
            } else if (task.getState() == TaskState.RUNNING) {
                log.warn("task {} is running for this executor but runs nowhere here; failing it", guid);
                reconciliation.fail(guid, LOST_TRACK);
            }
        } catch (StatusRuntimeException e) {
            log.info("settling task {} failed ({}); the next snapshot brings it up again", guid, e.getStatus());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
