package dev.corkboard.executor.agent;

import dev.corkboard.proto.v1.CompleteTaskRequest;
import dev.corkboard.proto.v1.ListTasksRequest;
import dev.corkboard.proto.v1.ListTasksResponse;
import dev.corkboard.proto.v1.RejectTaskRequest;
import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskState;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the BBS's view of this executor's tasks in line with what actually runs here. A task the BBS counts as
 * claimed by this executor but that runs nowhere here goes back to Pending (RejectTask: it never ran, so another
 * executor may run it); one the BBS counts as running here but that does not run here completes as failed with a
 * reason, since its process is gone. Both happen after an agent crash, and a claim can land in the instant the agent
 * stops claiming.
 */
final class Reconciliation {

    private static final Logger log = LoggerFactory.getLogger(Reconciliation.class);
    static final String NOT_STARTED = "executor restarted before starting the task";

    private final BbsLink bbs;
    private final String executorId;

    Reconciliation(BbsLink bbs, String executorId) {
        this.bbs = bbs;
        this.executorId = executorId;
    }

    /**
     * Settles every claimed or running task of this executor not in {@code tracked}, retrying while no BBS answers
     * until it is done or {@code stopping} says to give up.
     */
    void settleUntracked(Set<String> tracked, String lostReason, BooleanSupplier stopping)
            throws InterruptedException {
        Backoff backoff = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(5));
        while (!stopping.getAsBoolean()) {
            try {
                for (Task task : ownTasks()) {
                    if (tracked.contains(task.getGuid())) {
                        continue;
                    }
                    if (task.getState() == TaskState.CLAIMED) {
                        log.info("task {} was claimed by this executor's previous run; rejecting it", task.getGuid());
                        reject(task.getGuid(), NOT_STARTED);
                    } else if (task.getState() == TaskState.RUNNING) {
                        log.warn("task {} was running under this executor's previous run; failing it",
                                task.getGuid());
                        fail(task.getGuid(), lostReason);
                    }
                }
                return;
            } catch (StatusRuntimeException e) {
                log.warn("cannot settle this executor's leftover tasks yet: {}", e.getStatus());
                Thread.sleep(backoff.next().toMillis());
            }
        }
    }

    /** Rejects every claimed task of this executor not in {@code tracked}; one attempt (used at shutdown). */
    void rejectUntrackedClaims(Set<String> tracked) {
        try {
            for (Task task : ownTasks()) {
                if (task.getState() == TaskState.CLAIMED && !tracked.contains(task.getGuid())) {
                    reject(task.getGuid(), "executor shutting down before starting the task");
                }
            }
        } catch (StatusRuntimeException e) {
            log.warn("cannot check for tasks claimed while stopping: {} (the converger demotes them later)",
                    e.getStatus());
        }
    }

    /** RejectTask; a refusal (no longer ours) is fine. */
    void reject(String guid, String reason) {
        try {
            bbs.tasks().rejectTask(RejectTaskRequest.newBuilder().setGuid(guid).setExecutorId(executorId)
                    .setReason(reason).build());
        } catch (StatusRuntimeException e) {
            if (BbsLink.unreachable(e)) {
                throw e;
            }
            log.info("rejecting task {} refused: {}", guid, e.getStatus());
        }
    }

    void fail(String guid, String reason) {
        try {
            bbs.tasks().completeTask(CompleteTaskRequest.newBuilder().setGuid(guid).setExecutorId(executorId)
                    .setFailed(true).setFailureReason(reason).build());
        } catch (StatusRuntimeException e) {
            if (BbsLink.unreachable(e)) {
                throw e;
            }
            log.info("failing task {} refused: {}", guid, e.getStatus());
        }
    }

    private List<Task> ownTasks() {
        List<Task> tasks = new ArrayList<>();
        String token = "";
        do {
            ListTasksResponse page = bbs.tasks().listTasks(ListTasksRequest.newBuilder().setExecutorId(executorId)
                    .setPageToken(token).build());
            tasks.addAll(page.getTasksList());
            token = page.getNextPageToken();
        } while (!token.isEmpty());
        return tasks;
    }
}
