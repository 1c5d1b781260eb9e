package dev.corkboard.bbs.state;

import static dev.corkboard.bbs.state.TaskFixtures.GUID;
import static dev.corkboard.bbs.state.TaskFixtures.NOW;
import static dev.corkboard.bbs.state.TaskFixtures.OTHER;
import static dev.corkboard.bbs.state.TaskFixtures.OWNER;
import static dev.corkboard.bbs.state.TaskFixtures.at;
import static dev.corkboard.bbs.state.TaskFixtures.claim;
import static dev.corkboard.bbs.state.TaskFixtures.claimed;
import static dev.corkboard.bbs.state.TaskFixtures.completed;
import static dev.corkboard.bbs.state.TaskFixtures.decide;
import static dev.corkboard.bbs.state.TaskFixtures.decideAbsent;
import static dev.corkboard.bbs.state.TaskFixtures.fail;
import static dev.corkboard.bbs.state.TaskFixtures.invalidTransition;
import static dev.corkboard.bbs.state.TaskFixtures.ms;
import static dev.corkboard.bbs.state.TaskFixtures.ownedByAnother;
import static dev.corkboard.bbs.state.TaskFixtures.pending;
import static dev.corkboard.bbs.state.TaskFixtures.refusal;
import static dev.corkboard.bbs.state.TaskFixtures.reject;
import static dev.corkboard.bbs.state.TaskFixtures.resolve;
import static dev.corkboard.bbs.state.TaskFixtures.resolving;
import static dev.corkboard.bbs.state.TaskFixtures.resolvingCall;
import static dev.corkboard.bbs.state.TaskFixtures.running;
import static dev.corkboard.bbs.state.TaskFixtures.start;
import static dev.corkboard.bbs.state.TaskFixtures.succeed;
import static dev.corkboard.bbs.state.TaskFixtures.written;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskState;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/** Only the owner moves a claimed or running task; rejections give it back until the retry limit. */
class TaskOwnershipAndRejectionTest {

    // ---- ownership

    @Test
    void completeFromAnotherExecutorIsRefusedNamingBothExecutors() {
        TaskError error = refusal(decide(running(), succeed(OTHER)));

        assertEquals(new TaskError.OwnedByAnotherExecutor(GUID, OWNER, OTHER, Call.COMPLETE), error);
        assertTrue(error.message().contains(OWNER), error.message());
        assertTrue(error.message().contains(OTHER), error.message());
    }

    @Test
    void startFromAnotherExecutorIsRefusedNamingBothExecutors() {
        assertEquals(ownedByAnother(Call.START), refusal(decide(claimed(), start(OTHER))));
    }

    @Test
    void rejectFromAnotherExecutorIsRefusedNamingBothExecutors() {
        assertEquals(ownedByAnother(Call.REJECT), refusal(decide(running(), reject(OTHER))));
    }

    @Test
    void aClaimThatLostTheRaceNamesTheWinningExecutor() {
        assertEquals(ownedByAnother(Call.CLAIM), refusal(decide(claimed(), claim(OTHER))));
        assertEquals(ownedByAnother(Call.CLAIM), refusal(decide(running(), claim(OTHER))));
    }

    @Test
    void completingAnotherExecutorsCompletedTaskNamesTheOwner() {
        assertEquals(ownedByAnother(Call.COMPLETE), refusal(decide(completed(), succeed(OTHER))));
    }

    @Test
    void completingATaskThatFailedBeforeAnyClaimIsAnInvalidTransition() {
        Task failedWhilePending = written(decide(pending(), fail("not claimed within time limit")));

        assertEquals(invalidTransition(TaskState.COMPLETED, Call.COMPLETE),
                refusal(decide(failedWhilePending, succeed(OTHER))));
    }

    @Test
    void aSecondStagerMarkingTheTaskResolvingIsRefused() {
        assertEquals(invalidTransition(TaskState.RESOLVING, Call.RESOLVING),
                refusal(decide(resolving(), resolvingCall())));
    }

    @Test
    void resolvingACompletedTaskThatNoStagerHasTakenIsRefused() {
        assertEquals(new TaskError.InvalidTransition(GUID, TaskState.COMPLETED, "REMOVED", Call.RESOLVE),
                refusal(decide(completed(), resolve())));
    }

    // ---- missing task

    static final List<TaskRequest> EVERY_CALL_BUT_DESIRE = List.of(claim(OWNER), start(OWNER), reject(OWNER),
            succeed(OWNER), TaskFixtures.cancel(), fail("lost"), resolvingCall(), resolve(), new TaskRequest.Kick(GUID),
            new TaskRequest.DemoteClaim(GUID), new TaskRequest.DemoteResolving(GUID), new TaskRequest.Expire(GUID));

    @ParameterizedTest
    @FieldSource("EVERY_CALL_BUT_DESIRE")
    void aMissingTaskIsNotFoundForEveryCallButDesire(TaskRequest request) {
        assertEquals(new TaskError.NotFound(GUID), refusal(decideAbsent(request)));
    }

    @Test
    void theMissingTaskExamplesCoverEveryCallButDesire() {
        assertEquals(EnumSet.complementOf(EnumSet.of(Call.DESIRE)), EVERY_CALL_BUT_DESIRE.stream()
                .map(TaskRequest::call).collect(Collectors.toCollection(() -> EnumSet.noneOf(Call.class))));
    }

    // ---- rejection

    @Test
    void rejectingAClaimedTaskReturnsItToPendingClearingExecutorHandleAndClaimTime() {
        Task task = written(decide(claimed(), reject(OWNER, "not enough memory")));

        assertEquals(TaskState.PENDING, task.getState());
        assertEquals("", task.getExecutorId());
        assertEquals("", task.getContainerHandle());
        assertEquals(0, task.getClaimedAtMs());
        assertEquals(ms(NOW), task.getUpdatedAtMs());
    }

    @Test
    void rejectingARunningTaskCountsTheRejectionAndRecordsItsReason() {
        Task task = written(decide(running(), reject(OWNER, "container crashed on start")));

        assertEquals(TaskState.PENDING, task.getState());
        assertEquals("", task.getContainerHandle());
        assertEquals(1, task.getRejectionCount());
        assertEquals("container crashed on start", task.getRejectionReason());
        assertFalse(task.getFailed());
    }

    @Test
    void rejectionsUpToTheLimitReturnTheTaskToPendingAndTheNextFailsItWithTheRejectionReason() {
        TaskLifecycle lifecycle = new TaskLifecycle(3);
        Task task = pending();
        for (int rejection = 1; rejection <= 3; rejection++) {
            task = claimStartAndReject(lifecycle, task, "rejection " + rejection, 10L * rejection);

            assertEquals(TaskState.PENDING, task.getState(), "after rejection " + rejection);
            assertEquals(rejection, task.getRejectionCount());
            assertEquals("", task.getExecutorId());
            assertEquals("", task.getContainerHandle());
            assertEquals(0, task.getClaimedAtMs());
        }

        task = claimStartAndReject(lifecycle, task, "rejection 4", 40);

        assertEquals(TaskState.COMPLETED, task.getState());
        assertTrue(task.getFailed());
        assertEquals("rejection 4", task.getFailureReason());
        assertEquals("rejection 4", task.getRejectionReason());
        assertEquals(4, task.getRejectionCount());
        assertEquals(ms(at(42)), task.getFirstCompletedAtMs());
    }

    @Test
    void aTaskFailedByTooManyRejectionsKeepsTheLastExecutor() {
        Task rejectedThrice = running().toBuilder().setRejectionCount(3).build();

        Task task = written(new TaskLifecycle(3).decide(Optional.of(rejectedThrice), reject(OWNER), NOW));

        assertEquals(TaskState.COMPLETED, task.getState());
        assertEquals(OWNER, task.getExecutorId());
    }

    @Test
    void aRetryLimitOfZeroFailsTheTaskOnTheFirstRejection() {
        Task task = written(new TaskLifecycle(0).decide(Optional.of(claimed()), reject(OWNER, "no runtime"), NOW));

        assertEquals(TaskState.COMPLETED, task.getState());
        assertTrue(task.getFailed());
        assertEquals("no runtime", task.getFailureReason());
        assertEquals(1, task.getRejectionCount());
    }

    @Test
    void theDefaultRetryLimitIsThree() {
        assertEquals(3, new TaskLifecycle().maxRejections());
        Task rejectedThrice = claimed().toBuilder().setRejectionCount(3).build();
        Task rejectedTwice = claimed().toBuilder().setRejectionCount(2).build();

        assertEquals(TaskState.COMPLETED, written(decide(rejectedThrice, reject(OWNER))).getState());
        assertEquals(TaskState.PENDING, written(decide(rejectedTwice, reject(OWNER))).getState());
    }

    @Test
    void aNegativeRetryLimitIsRejectedAtConstruction() {
        assertThrows(IllegalArgumentException.class, () -> new TaskLifecycle(-1));
    }

    @Test
    void theLastRejectionReasonStaysOnTheRecordWhenAnotherExecutorClaimsIt() {
        Task rejected = written(decide(running(), reject(OWNER, "disk full")));

        Task reclaimed = written(decide(rejected, claim(OTHER)));

        assertEquals(OTHER, reclaimed.getExecutorId());
        assertEquals("disk full", reclaimed.getRejectionReason());
        assertEquals(1, reclaimed.getRejectionCount());
    }

    private static Task claimStartAndReject(TaskLifecycle lifecycle, Task task, String reason, long second) {
        Task claimedTask = written(lifecycle.decide(Optional.of(task), claim(OWNER), at(second)));
        Task started = written(lifecycle.decide(Optional.of(claimedTask), start(OWNER), at(second + 1)));
        return written(lifecycle.decide(Optional.of(started), reject(OWNER, reason), at(second + 2)));
    }
}
