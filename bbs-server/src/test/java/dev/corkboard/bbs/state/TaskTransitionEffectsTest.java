package dev.corkboard.bbs.state;

import static dev.corkboard.bbs.state.TaskFixtures.DOMAIN;
import static dev.corkboard.bbs.state.TaskFixtures.GUID;
import static dev.corkboard.bbs.state.TaskFixtures.HANDLE;
import static dev.corkboard.bbs.state.TaskFixtures.NOW;
import static dev.corkboard.bbs.state.TaskFixtures.OWNER;
import static dev.corkboard.bbs.state.TaskFixtures.RESULT;
import static dev.corkboard.bbs.state.TaskFixtures.at;
import static dev.corkboard.bbs.state.TaskFixtures.cancel;
import static dev.corkboard.bbs.state.TaskFixtures.claim;
import static dev.corkboard.bbs.state.TaskFixtures.claimed;
import static dev.corkboard.bbs.state.TaskFixtures.completed;
import static dev.corkboard.bbs.state.TaskFixtures.decide;
import static dev.corkboard.bbs.state.TaskFixtures.decideAbsent;
import static dev.corkboard.bbs.state.TaskFixtures.definition;
import static dev.corkboard.bbs.state.TaskFixtures.desire;
import static dev.corkboard.bbs.state.TaskFixtures.fail;
import static dev.corkboard.bbs.state.TaskFixtures.failWith;
import static dev.corkboard.bbs.state.TaskFixtures.ms;
import static dev.corkboard.bbs.state.TaskFixtures.pending;
import static dev.corkboard.bbs.state.TaskFixtures.resolve;
import static dev.corkboard.bbs.state.TaskFixtures.resolving;
import static dev.corkboard.bbs.state.TaskFixtures.resolvingCall;
import static dev.corkboard.bbs.state.TaskFixtures.running;
import static dev.corkboard.bbs.state.TaskFixtures.start;
import static dev.corkboard.bbs.state.TaskFixtures.succeed;
import static dev.corkboard.bbs.state.TaskFixtures.written;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskState;
import org.junit.jupiter.api.Test;

/** What each legal transition writes, field by field. */
class TaskTransitionEffectsTest {

    @Test
    void desiringAnAbsentTaskCreatesAPendingRecordStampedWithNow() {
        Task task = written(decideAbsent(desire()));

        Task expected = Task.newBuilder().setGuid(GUID).setDomain(DOMAIN).setDefinition(definition())
                .setState(TaskState.PENDING).setCreatedAtMs(ms(NOW)).setUpdatedAtMs(ms(NOW)).build();
        assertEquals(expected, task);
    }

    @Test
    void claimingAPendingTaskRecordsTheExecutorAndClaimTime() {
        Task task = written(decide(pending(), claim(OWNER)));

        assertEquals(TaskState.CLAIMED, task.getState());
        assertEquals(OWNER, task.getExecutorId());
        assertEquals(ms(NOW), task.getClaimedAtMs());
        assertEquals(ms(NOW), task.getUpdatedAtMs());
    }

    @Test
    void aReplicaWithAClockBehindNeverMovesATasksTimesBackwards() {
        Task claimedLater = written(decide(pending(), claim(OWNER)));
        Task behind = written(new TaskLifecycle().decide(java.util.Optional.of(claimedLater),
                succeed(OWNER), NOW.minusSeconds(5)));

        assertEquals(ms(NOW), behind.getUpdatedAtMs());
        assertEquals(ms(NOW), behind.getFirstCompletedAtMs());
    }

    @Test
    void claimingLeavesCreationTimeAndDefinitionAlone() {
        Task task = written(decide(pending(), claim(OWNER)));

        assertEquals(pending().getCreatedAtMs(), task.getCreatedAtMs());
        assertEquals(definition(), task.getDefinition());
        assertEquals(DOMAIN, task.getDomain());
        assertEquals("", task.getContainerHandle());
    }

    @Test
    void startingAClaimedTaskRecordsTheContainerHandleAndKeepsTheClaim() {
        Task task = written(decide(claimed(), start(OWNER)));

        assertEquals(TaskState.RUNNING, task.getState());
        assertEquals(HANDLE, task.getContainerHandle());
        assertEquals(OWNER, task.getExecutorId());
        assertEquals(claimed().getClaimedAtMs(), task.getClaimedAtMs());
        assertEquals(ms(NOW), task.getUpdatedAtMs());
    }

    @Test
    void completingARunningTaskSuccessfullyRecordsTheResultAndFirstCompletionTime() {
        Task task = written(decide(running(), succeed(OWNER, RESULT)));

        assertEquals(TaskState.COMPLETED, task.getState());
        assertFalse(task.getFailed());
        assertEquals("", task.getFailureReason());
        assertEquals(RESULT, task.getResult());
        assertEquals(ms(NOW), task.getFirstCompletedAtMs());
        assertEquals(ms(NOW), task.getUpdatedAtMs());
    }

    @Test
    void completingKeepsTheExecutorAndContainerHandleForTheRecord() {
        Task task = written(decide(running(), succeed(OWNER)));

        assertEquals(OWNER, task.getExecutorId());
        assertEquals(HANDLE, task.getContainerHandle());
        assertEquals(running().getClaimedAtMs(), task.getClaimedAtMs());
    }

    @Test
    void completingAsFailedRecordsTheFailureReason() {
        Task task = written(decide(running(), failWith(OWNER, "exit status 137: out of memory")));

        assertTrue(task.getFailed());
        assertEquals("exit status 137: out of memory", task.getFailureReason());
        assertEquals(ms(NOW), task.getFirstCompletedAtMs());
    }

    @Test
    void completingAsFailedStillRecordsWhateverResultTheExecutorRead() {
        var request = new TaskRequest.Complete(GUID, OWNER, true, "exit status 1", "partial output");

        Task task = written(decide(running(), request));

        assertEquals("partial output", task.getResult());
    }

    @Test
    void completingSuccessfullyDropsAFailureReasonSentAlongWithIt() {
        var request = new TaskRequest.Complete(GUID, OWNER, false, "ignored", RESULT);

        Task task = written(decide(running(), request));

        assertFalse(task.getFailed());
        assertEquals("", task.getFailureReason());
    }

    @Test
    void completingAClaimedTaskThatNeverStartedIsAllowedForItsOwner() {
        Task task = written(decide(claimed(), failWith(OWNER, "image not found")));

        assertEquals(TaskState.COMPLETED, task.getState());
        assertEquals("", task.getContainerHandle());
        assertEquals("image not found", task.getFailureReason());
    }

    @Test
    void cancellingARunningTaskCompletesItFailedWithTheCancelledReason() {
        Task task = written(decide(running(), cancel()));

        assertEquals(TaskState.COMPLETED, task.getState());
        assertTrue(task.getFailed());
        assertEquals("task was cancelled", task.getFailureReason());
        assertEquals(TaskLifecycle.CANCELLED_REASON, task.getFailureReason());
        assertEquals(ms(NOW), task.getFirstCompletedAtMs());
    }

    @Test
    void cancellingARunningTaskKeepsTheExecutorSoTheOwnerStopsTheContainer() {
        Task task = written(decide(running(), cancel()));

        assertEquals(OWNER, task.getExecutorId());
        assertEquals(HANDLE, task.getContainerHandle());
    }

    @Test
    void cancellingAPendingTaskCompletesItWithoutAnExecutor() {
        Task task = written(decide(pending(), cancel()));

        assertEquals(TaskState.COMPLETED, task.getState());
        assertEquals("", task.getExecutorId());
        assertEquals("task was cancelled", task.getFailureReason());
    }

    @Test
    void failingARunningTaskRecordsTheCallersReasonAndNoResult() {
        Task task = written(decide(running(), fail("executor disappeared before completion")));

        assertEquals(TaskState.COMPLETED, task.getState());
        assertTrue(task.getFailed());
        assertEquals("executor disappeared before completion", task.getFailureReason());
        assertEquals("", task.getResult());
        assertEquals(OWNER, task.getExecutorId());
    }

    @Test
    void failingAPendingTaskRecordsTheCallersReason() {
        Task task = written(decide(pending(), fail("not claimed within time limit")));

        assertEquals(TaskState.COMPLETED, task.getState());
        assertEquals("not claimed within time limit", task.getFailureReason());
        assertEquals(ms(NOW), task.getFirstCompletedAtMs());
    }

    @Test
    void firstCompletedAtIsNotOverwrittenWhenATaskCompletesAgain() {
        // a record that completed before and was moved back by an operator or the converger
        Task completedBefore = running().toBuilder().setFirstCompletedAtMs(ms(at(1))).build();

        assertEquals(ms(at(1)), written(decide(completedBefore, succeed(OWNER))).getFirstCompletedAtMs());
        assertEquals(ms(at(1)), written(decide(completedBefore, fail("lost"))).getFirstCompletedAtMs());
        assertEquals(ms(at(1)), written(decide(completedBefore, cancel())).getFirstCompletedAtMs());
    }

    @Test
    void resolvingACompletedTaskMovesItToResolvingKeepingTheOutcome() {
        Task task = written(decide(completed(), resolvingCall()));

        Task expected = completed().toBuilder().setState(TaskState.RESOLVING).setUpdatedAtMs(ms(NOW)).build();
        assertEquals(expected, task);
    }

    @Test
    void resolvingTheResolvingTaskRemovesItAndHandsBackTheRecordForCompareAndDelete() {
        Decision decision = decide(resolving(), resolve());

        assertEquals(resolving(), assertInstanceOf(Decision.Remove.class, decision).task());
    }

    @Test
    void onlyTheFieldsOfTheTransitionChange() {
        Task task = written(decide(claimed(), start(OWNER)));

        Task expected = claimed().toBuilder().setState(TaskState.RUNNING).setContainerHandle(HANDLE)
                .setUpdatedAtMs(ms(NOW)).build();
        assertEquals(expected, task);
    }
}
