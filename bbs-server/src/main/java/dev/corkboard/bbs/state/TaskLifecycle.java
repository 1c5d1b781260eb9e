package dev.corkboard.bbs.state;

import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskState;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The task state machine: a pure function of (current record, request, now) to a {@link Decision}. It does no I/O;
 * the store turns a decision into one etcd transaction and calls it again with the fresh record when it loses a race.
 *
 * <p>Repeats by the same actor are idempotent ({@link Decision.Unchanged}), so a caller that timed out can retry
 * without knowing whether its first attempt applied.
 */
public final class TaskLifecycle {

    public static final String CANCELLED_REASON = "task was cancelled";
    public static final int DEFAULT_MAX_REJECTIONS = 3;

    private final int maxRejections;

    /** @param maxRejections how many rejections put a task back to pending; the next one fails it */
    public TaskLifecycle(int maxRejections) {
        if (maxRejections < 0) {
            throw new IllegalArgumentException("maxRejections must not be negative, was " + maxRejections);
        }
        this.maxRejections = maxRejections;
    }

    public TaskLifecycle() {
        this(DEFAULT_MAX_REJECTIONS);
    }

    public int maxRejections() {
        return maxRejections;
    }

    /**
     * Decides what {@code request} does to the task whose stored record is {@code current} (empty when absent).
     * Invalid requests are refused before the record is looked at.
     */
    public Decision decide(Optional<Task> current, TaskRequest request, Instant now) {
        Optional<TaskError.InvalidRequest> invalid = TaskValidation.check(request);
        if (invalid.isPresent()) {
            return new Decision.Refused(invalid.get());
        }
        if (current.isEmpty()) {
            return request instanceof TaskRequest.Desire desire
                    ? new Decision.Write(create(desire, now))
                    : new Decision.Refused(new TaskError.NotFound(request.guid()));
        }
        Task task = current.get();
        // replicas' clocks differ: a record's times never go back, whichever replica writes it
        long millis = Math.max(now.toEpochMilli(), task.getUpdatedAtMs());
        switch (request.call()) {
            case DESIRE:
                return desireAgain(task, (TaskRequest.Desire) request);
            case CLAIM:
                return claim(task, (TaskRequest.Claim) request, millis);
            case START:
                return start(task, (TaskRequest.Start) request, millis);
            case REJECT:
                return reject(task, (TaskRequest.Reject) request, millis);
            case COMPLETE:
                return complete(task, (TaskRequest.Complete) request, millis);
            case CANCEL:
                return failUnlessCompleted(task, Call.CANCEL, CANCELLED_REASON, millis);
            case FAIL:
                return failUnlessCompleted(task, Call.FAIL, Reasons.truncate(((TaskRequest.Fail) request).reason()),
                        millis);
            case RESOLVING:
                return task.getState() == TaskState.COMPLETED
                        ? write(task.toBuilder().setState(TaskState.RESOLVING), millis)
                        : invalidTransition(task, Call.RESOLVING);
            case RESOLVE:
                return task.getState() == TaskState.RESOLVING
                        ? new Decision.Remove(task)
                        : invalidTransition(task, Call.RESOLVE);
            case KICK:
            case DEMOTE_CLAIM:
            case DEMOTE_RESOLVING:
            case EXPIRE:
                return converge(task, request.call(), millis);
        }
        throw new IllegalStateException("unknown call " + request.call());
    }

    /**
     * The converger's repairs. Each applies in exactly one state (kick in two) and refuses everywhere else, so a
     * repair decided on a record that has since moved on can never drag the task backwards.
     */
    private static Decision converge(Task task, Call call, long millis) {
        TaskState state = task.getState();
        switch (call) {
            case KICK:
                return state == TaskState.PENDING || state == TaskState.COMPLETED
                        ? write(task.toBuilder(), millis)
                        : invalidTransition(task, call);
            case DEMOTE_CLAIM:
                // not a rejection: the executor never said anything, so the retry budget is left alone
                return state == TaskState.CLAIMED
                        ? write(task.toBuilder().setState(TaskState.PENDING).clearExecutorId().clearContainerHandle()
                                .clearClaimedAtMs(), millis)
                        : invalidTransition(task, call);
            case DEMOTE_RESOLVING:
                return state == TaskState.RESOLVING
                        ? write(task.toBuilder().setState(TaskState.COMPLETED), millis)
                        : invalidTransition(task, call);
            case EXPIRE:
                return state == TaskState.COMPLETED ? new Decision.Remove(task) : invalidTransition(task, call);
            default:
                throw new IllegalArgumentException(call + " is not a converger call");
        }
    }

    private static Task create(TaskRequest.Desire desire, Instant now) {
        long millis = now.toEpochMilli();
        return Task.newBuilder()
                .setGuid(desire.guid())
                .setDomain(desire.domain())
                .setDefinition(desire.definition())
                .setState(TaskState.PENDING)
                .setCreatedAtMs(millis)
                .setUpdatedAtMs(millis)
                .build();
    }

    private static Decision desireAgain(Task task, TaskRequest.Desire desire) {
        boolean same = task.getDomain().equals(desire.domain()) && task.getDefinition().equals(desire.definition());
        return same ? new Decision.Unchanged(task) : new Decision.Refused(new TaskError.AlreadyExists(task.getGuid()));
    }

    private static Decision claim(Task task, TaskRequest.Claim claim, long millis) {
        switch (task.getState()) {
            case PENDING:
                return write(task.toBuilder().setState(TaskState.CLAIMED).setExecutorId(claim.executorId())
                        .setClaimedAtMs(millis), millis);
            case CLAIMED:
                return ownedBy(task, claim.executorId())
                        ? new Decision.Unchanged(task)
                        : ownedByAnother(task, claim.executorId(), Call.CLAIM);
            case RUNNING:
                // a claim that lost the race names the winner, so the loser knows who holds the task
                return ownedBy(task, claim.executorId())
                        ? invalidTransition(task, Call.CLAIM)
                        : ownedByAnother(task, claim.executorId(), Call.CLAIM);
            default:
                return invalidTransition(task, Call.CLAIM);
        }
    }

    private static Decision start(Task task, TaskRequest.Start start, long millis) {
        TaskState state = task.getState();
        if (state != TaskState.CLAIMED && state != TaskState.RUNNING) {
            return invalidTransition(task, Call.START);
        }
        if (!ownedBy(task, start.executorId())) {
            return ownedByAnother(task, start.executorId(), Call.START);
        }
        return state == TaskState.RUNNING
                ? new Decision.Unchanged(task)
                : write(task.toBuilder().setState(TaskState.RUNNING).setContainerHandle(start.containerHandle()),
                        millis);
    }

    private Decision reject(Task task, TaskRequest.Reject reject, long millis) {
        TaskState state = task.getState();
        if (state != TaskState.CLAIMED && state != TaskState.RUNNING) {
            return invalidTransition(task, Call.REJECT);
        }
        if (!ownedBy(task, reject.executorId())) {
            return ownedByAnother(task, reject.executorId(), Call.REJECT);
        }
        String reason = Reasons.truncate(reject.reason());
        int rejections = task.getRejectionCount() + 1;
        Task.Builder next = task.toBuilder().setRejectionCount(rejections).setRejectionReason(reason);
        if (rejections > maxRejections) {
            return write(completed(next, task, true, reason, "", millis), millis);
        }
        return write(next.setState(TaskState.PENDING).clearExecutorId().clearContainerHandle().clearClaimedAtMs(),
                millis);
    }

    private static Decision complete(Task task, TaskRequest.Complete complete, long millis) {
        String reason = complete.failed() ? Reasons.truncate(complete.failureReason()) : "";
        switch (task.getState()) {
            case CLAIMED:
            case RUNNING:
                if (!ownedBy(task, complete.executorId())) {
                    return ownedByAnother(task, complete.executorId(), Call.COMPLETE);
                }
                return write(completed(task.toBuilder(), task, complete.failed(), reason, complete.result(), millis),
                        millis);
            case COMPLETED:
            case RESOLVING:
                // the executor's retry after a lost answer: same owner, same outcome
                boolean repeat = ownedBy(task, complete.executorId()) && task.getFailed() == complete.failed()
                        && task.getFailureReason().equals(reason) && task.getResult().equals(complete.result());
                if (repeat) {
                    return new Decision.Unchanged(task);
                }
                if (!task.getExecutorId().isEmpty() && !ownedBy(task, complete.executorId())) {
                    return ownedByAnother(task, complete.executorId(), Call.COMPLETE);
                }
                return invalidTransition(task, Call.COMPLETE);
            default:
                return invalidTransition(task, Call.COMPLETE);
        }
    }

    private static Decision failUnlessCompleted(Task task, Call call, String reason, long millis) {
        switch (task.getState()) {
            case PENDING:
            case CLAIMED:
            case RUNNING:
                return write(completed(task.toBuilder(), task, true, reason, "", millis), millis);
            default:
                boolean repeat = task.getFailed() && task.getFailureReason().equals(reason);
                return repeat ? new Decision.Unchanged(task) : invalidTransition(task, call);
        }
    }

    private static Task.Builder completed(Task.Builder next, Task before, boolean failed, String reason,
            String result, long millis) {
        next.setState(TaskState.COMPLETED).setFailed(failed).setFailureReason(reason).setResult(result);
        if (before.getFirstCompletedAtMs() == 0) {
            next.setFirstCompletedAtMs(millis);
        }
        return next;
    }

    private static boolean ownedBy(Task task, String executorId) {
        return Objects.equals(task.getExecutorId(), executorId);
    }

    private static Decision write(Task.Builder next, long millis) {
        return new Decision.Write(next.setUpdatedAtMs(millis).build());
    }

    private static Decision invalidTransition(Task task, Call call) {
        return new Decision.Refused(
                new TaskError.InvalidTransition(task.getGuid(), task.getState(), call.targetName(), call));
    }

    private static Decision ownedByAnother(Task task, String caller, Call call) {
        return new Decision.Refused(
                new TaskError.OwnedByAnotherExecutor(task.getGuid(), task.getExecutorId(), caller, call));
    }
}
