package dev.corkboard.bbs.state;

import static dev.corkboard.bbs.state.TaskFixtures.GUID;
import static dev.corkboard.bbs.state.TaskFixtures.OWNER;
import static dev.corkboard.bbs.state.TaskFixtures.RESULT;
import static dev.corkboard.bbs.state.TaskFixtures.cancel;
import static dev.corkboard.bbs.state.TaskFixtures.claim;
import static dev.corkboard.bbs.state.TaskFixtures.claimed;
import static dev.corkboard.bbs.state.TaskFixtures.completed;
import static dev.corkboard.bbs.state.TaskFixtures.completedFailed;
import static dev.corkboard.bbs.state.TaskFixtures.decide;
import static dev.corkboard.bbs.state.TaskFixtures.desire;
import static dev.corkboard.bbs.state.TaskFixtures.fail;
import static dev.corkboard.bbs.state.TaskFixtures.failWith;
import static dev.corkboard.bbs.state.TaskFixtures.invalidTransition;
import static dev.corkboard.bbs.state.TaskFixtures.otherDefinition;
import static dev.corkboard.bbs.state.TaskFixtures.pending;
import static dev.corkboard.bbs.state.TaskFixtures.refusal;
import static dev.corkboard.bbs.state.TaskFixtures.resolving;
import static dev.corkboard.bbs.state.TaskFixtures.running;
import static dev.corkboard.bbs.state.TaskFixtures.start;
import static dev.corkboard.bbs.state.TaskFixtures.succeed;
import static dev.corkboard.bbs.state.TaskFixtures.unchanged;
import static dev.corkboard.bbs.state.TaskFixtures.written;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskState;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A caller that timed out retries without knowing whether its first attempt applied. */
class TaskRepeatedCallsTest {

    @ParameterizedTest
    @EnumSource(value = TaskState.class, names = {"PENDING", "CLAIMED", "RUNNING", "COMPLETED", "RESOLVING"})
    void desiringAgainWithTheSameDomainAndDefinitionIsUnchangedInEveryState(TaskState state) {
        Task stored = TaskFixtures.inState(state);

        assertEquals(stored, unchanged(decide(stored, desire())));
    }

    @Test
    void desiringAgainWithADifferentDefinitionIsRefusedAsAlreadyExists() {
        assertEquals(new TaskError.AlreadyExists(GUID), refusal(decide(pending(), desire(otherDefinition()))));
    }

    @Test
    void desiringAgainInADifferentDomainIsRefusedAsAlreadyExists() {
        var request = new TaskRequest.Desire(GUID, "other.stager", TaskFixtures.definition());

        assertEquals(new TaskError.AlreadyExists(GUID), refusal(decide(running(), request)));
    }

    @Test
    void claimingAgainByTheSameExecutorIsUnchanged() {
        assertEquals(claimed(), unchanged(decide(claimed(), claim(OWNER))));
    }

    @Test
    void startingAgainByTheSameExecutorIsUnchanged() {
        assertEquals(running(), unchanged(decide(running(), start(OWNER))));
    }

    @Test
    void completingAgainWithTheSameOutcomeWhileCompletedIsUnchanged() {
        assertEquals(completed(), unchanged(decide(completed(), succeed(OWNER, RESULT))));
    }

    @Test
    void completingAgainWithTheSameOutcomeWhileResolvingIsUnchanged() {
        assertEquals(resolving(), unchanged(decide(resolving(), succeed(OWNER, RESULT))));
    }

    @Test
    void completingAgainWithTheSameFailureWhileCompletedIsUnchanged() {
        Task stored = completedFailed("exit status 2");

        assertEquals(stored, unchanged(decide(stored, failWith(OWNER, "exit status 2"))));
    }

    @Test
    void completingAgainWithTheSameOverlongFailureReasonIsUnchangedBecauseBothAreTruncated() {
        String longReason = "stack frame ".repeat(500);
        Task stored = written(decide(running(), failWith(OWNER, longReason)));

        assertEquals(stored, unchanged(decide(stored, failWith(OWNER, longReason))));
    }

    @Test
    void completingAgainWithADifferentResultIsRefused() {
        assertEquals(invalidTransition(TaskState.COMPLETED, Call.COMPLETE),
                refusal(decide(completed(), succeed(OWNER, "another result"))));
    }

    @Test
    void completingAgainAsFailedAfterSucceedingIsRefused() {
        assertEquals(invalidTransition(TaskState.RESOLVING, Call.COMPLETE),
                refusal(decide(resolving(), failWith(OWNER, "exit status 1"))));
    }

    @Test
    void completingAgainWithADifferentFailureReasonIsRefused() {
        assertEquals(invalidTransition(TaskState.COMPLETED, Call.COMPLETE),
                refusal(decide(completedFailed("exit status 2"), failWith(OWNER, "exit status 3"))));
    }

    @Test
    void completingATaskThatWasCancelledWhileRunningIsRefusedForItsOwner() {
        Task cancelled = written(decide(running(), cancel()));

        assertEquals(invalidTransition(TaskState.COMPLETED, Call.COMPLETE),
                refusal(decide(cancelled, succeed(OWNER))));
    }

    @Test
    void cancellingAnAlreadyCancelledTaskIsUnchanged() {
        Task cancelled = written(decide(running(), cancel()));

        assertEquals(cancelled, unchanged(decide(cancelled, cancel())));
    }

    @Test
    void cancellingACancelledTaskThatAStagerIsResolvingIsUnchanged() {
        Task cancelled = written(decide(pending(), cancel()));
        Task resolving = written(decide(cancelled, TaskFixtures.resolvingCall()));

        assertEquals(resolving, unchanged(decide(resolving, cancel())));
    }

    @Test
    void cancellingATaskThatFailedForAnotherReasonIsRefused() {
        assertEquals(invalidTransition(TaskState.COMPLETED, Call.CANCEL),
                refusal(decide(completedFailed("exit status 2"), cancel())));
    }

    @Test
    void failingAgainWithTheSameReasonIsUnchanged() {
        Task failed = written(decide(running(), fail("executor disappeared before completion")));

        assertEquals(failed, unchanged(decide(failed, fail("executor disappeared before completion"))));
    }

    @Test
    void failingAgainWithAnotherReasonIsRefused() {
        Task failed = written(decide(running(), fail("executor disappeared before completion")));

        assertEquals(invalidTransition(TaskState.COMPLETED, Call.FAIL),
                refusal(decide(failed, fail("not claimed within time limit"))));
    }

    @Test
    void aRepeatedCallReturnsTheStoredRecordUntouchedEvenWhenTheClockMoved() {
        Task stored = completed();

        Task same = unchanged(new TaskLifecycle().decide(Optional.of(stored), succeed(OWNER),
                TaskFixtures.at(3600)));

        assertEquals(stored.getUpdatedAtMs(), same.getUpdatedAtMs());
        assertEquals(stored.getFirstCompletedAtMs(), same.getFirstCompletedAtMs());
    }
}
