package dev.corkboard.bbs.state;

import static dev.corkboard.bbs.state.TaskFixtures.GUID;
import static dev.corkboard.bbs.state.TaskFixtures.NOW;
import static dev.corkboard.bbs.state.TaskFixtures.claimed;
import static dev.corkboard.bbs.state.TaskFixtures.completed;
import static dev.corkboard.bbs.state.TaskFixtures.completedFailed;
import static dev.corkboard.bbs.state.TaskFixtures.decide;
import static dev.corkboard.bbs.state.TaskFixtures.ms;
import static dev.corkboard.bbs.state.TaskFixtures.pending;
import static dev.corkboard.bbs.state.TaskFixtures.refusal;
import static dev.corkboard.bbs.state.TaskFixtures.resolving;
import static dev.corkboard.bbs.state.TaskFixtures.running;
import static dev.corkboard.bbs.state.TaskFixtures.written;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskState;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What the converger's calls (kick, demote claim, demote resolving, expire) do to the fields of a record. */
class TaskConvergerCallsTest {

    private static final TaskRequest.Kick KICK = new TaskRequest.Kick(GUID);
    private static final TaskRequest.DemoteClaim DEMOTE_CLAIM = new TaskRequest.DemoteClaim(GUID);
    private static final TaskRequest.DemoteResolving DEMOTE_RESOLVING = new TaskRequest.DemoteResolving(GUID);
    private static final TaskRequest.Expire EXPIRE = new TaskRequest.Expire(GUID);

    @Test
    void kickingAPendingTaskRewritesItWithOnlyUpdatedAtMovedToNow() {
        Task kicked = written(decide(pending(), KICK));

        assertEquals(pending().toBuilder().setUpdatedAtMs(ms(NOW)).build(), kicked);
    }

    @Test
    void kickingACompletedTaskKeepsItsOutcomeAndFirstCompletionTime() {
        Task before = completedFailed("exit status 3");

        Task kicked = written(decide(before, KICK));

        assertEquals(before.toBuilder().setUpdatedAtMs(ms(NOW)).build(), kicked);
    }

    @Test
    void kickingWithAClockBehindTheRecordStillWritesAndNeverMovesUpdatedAtBack() {
        Instant behind = Instant.ofEpochMilli(pending().getUpdatedAtMs() - 5_000);

        Decision decision = new TaskLifecycle().decide(Optional.of(pending()), KICK, behind);

        // the rewrite itself is the announcement: watchers see a new revision even when the record is identical
        assertEquals(pending(), written(decision));
    }

    @Test
    void demotingAClaimReturnsTheTaskToPendingWithoutExecutorHandleOrClaimTime() {
        Task demoted = written(decide(claimed(), DEMOTE_CLAIM));

        assertEquals(TaskState.PENDING, demoted.getState());
        assertEquals("", demoted.getExecutorId());
        assertEquals("", demoted.getContainerHandle());
        assertEquals(0, demoted.getClaimedAtMs());
        assertEquals(ms(NOW), demoted.getUpdatedAtMs());
        assertEquals(pending().getCreatedAtMs(), demoted.getCreatedAtMs());
    }

    @Test
    void demotingAClaimIsNotARejectionAndKeepsTheRejectionCountAndReason() {
        Task rejectedOnce = claimed().toBuilder().setRejectionCount(1).setRejectionReason("out of disk").build();

        Task demoted = written(decide(rejectedOnce, DEMOTE_CLAIM));

        assertEquals(1, demoted.getRejectionCount());
        assertEquals("out of disk", demoted.getRejectionReason());
    }

    @Test
    void demotingAClaimRefusesARunningTaskSoAStartThatWonTheRaceIsNeverUndone() {
        assertEquals(new TaskError.InvalidTransition(GUID, TaskState.RUNNING, "PENDING", Call.DEMOTE_CLAIM),
                refusal(decide(running(), DEMOTE_CLAIM)));
    }

    @Test
    void demotingAResolvingTaskReturnsItToCompletedWithItsOutcomeIntact() {
        Task demoted = written(decide(resolving(), DEMOTE_RESOLVING));

        assertEquals(completed().toBuilder().setUpdatedAtMs(ms(NOW)).build(), demoted);
    }

    @Test
    void expiringACompletedTaskRemovesTheRecordAsItWas() {
        Task removed = assertInstanceOf(Decision.Remove.class, decide(completed(), EXPIRE)).task();

        assertEquals(completed(), removed);
    }

    @Test
    void expiringAResolvingTaskIsRefusedBecauseAStagerIsStillAtWork() {
        assertEquals(new TaskError.InvalidTransition(GUID, TaskState.RESOLVING, "REMOVED", Call.EXPIRE),
                refusal(decide(resolving(), EXPIRE)));
    }

    @Test
    void kickingARunningTaskIsRefusedNamingBothKickableStates() {
        TaskError error = refusal(decide(running(), KICK));

        assertEquals("cannot kick task task-1: it is RUNNING and cannot move from RUNNING to PENDING or COMPLETED",
                error.message());
    }
}
