package dev.corkboard.converger;

import static dev.corkboard.converger.ConvergerFixture.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corkboard.bbs.state.TaskRequest;
import dev.corkboard.bbs.store.ConditionalOutcome;
import dev.corkboard.bbs.store.Fence;
import dev.corkboard.converger.rules.ConvergenceRules;
import dev.corkboard.converger.rules.Repair;
import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskState;
import dev.corkboard.testkit.FixtureExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Each rule's effect on real records in etcd, one pass at a time, with index keys kept exact. */
class ConvergencePassTest {

    @RegisterExtension
    static final FixtureExtension<ConvergerFixture> etcd = new FixtureExtension<>(ConvergerFixture::new);

    static final ConvergerSettings SETTINGS = ConvergerSettings.defaults().withPageSize(2);

    private ConvergerFixture fixture;
    private final List<ConditionalOutcome> outcomes = new CopyOnWriteArrayList<>();
    private final ConvergerObserver recording = new ConvergerObserver() {
        @Override
        public void repaired(Repair repair, ConditionalOutcome outcome) {
            outcomes.add(outcome);
        }
    };

    @BeforeEach
    void open() {
        fixture = etcd.fixture();
    }

    @Test
    void aPendingTaskNotUpdatedForTheKickIntervalIsReAnnouncedWithANewUpdatedAt() {
        fixture.desire("t1");
        long before = fixture.modRevision("t1");
        fixture.clock.advance(SETTINGS.kick());

        PassReport report = pass();

        assertEquals(1, report.repairs().kicked());
        Task kicked = fixture.get("t1");
        assertEquals(TaskState.PENDING, kicked.getState());
        assertEquals(T0.plus(SETTINGS.kick()).toEpochMilli(), kicked.getUpdatedAtMs());
        assertTrue(fixture.modRevision("t1") > before, "watchers must see a change");
    }

    @Test
    void aPendingTaskUpdatedWithinTheKickIntervalIsLeftAlone() {
        fixture.desire("t1");
        long before = fixture.modRevision("t1");
        fixture.clock.advance(SETTINGS.kick().minusMillis(1));

        PassReport report = pass();

        assertEquals(0, report.repairs().landed());
        assertEquals(before, fixture.modRevision("t1"));
    }

    @Test
    void aCompletedTaskNotUpdatedForTheKickIntervalIsReNotified() {
        completedBy("t1", "cell-1");
        fixture.clock.advance(SETTINGS.kick());

        assertEquals(1, pass().repairs().kicked());
        assertEquals(fixture.clock.millis(), fixture.get("t1").getUpdatedAtMs());
        assertEquals(TaskState.COMPLETED, fixture.get("t1").getState());
    }

    @Test
    void aClaimNotStartedWithinTheClaimTimeoutGoesBackToPendingAndLeavesTheExecutorsIndex() {
        fixture.presence("cell-1", Duration.ofSeconds(60));
        fixture.desire("t1");
        fixture.apply(new TaskRequest.Claim("t1", "cell-1"));
        fixture.clock.advance(SETTINGS.claimTimeout());

        assertEquals(1, pass().repairs().demoted());
        Task demoted = fixture.get("t1");
        assertEquals(TaskState.PENDING, demoted.getState());
        assertEquals("", demoted.getExecutorId());
        assertEquals(0, demoted.getRejectionCount());
        assertEquals(List.of("/index/state/PENDING/builds/t1"), List.copyOf(fixture.indexKeys()));
    }

    @Test
    void aResolvingTaskNotUpdatedForTheKickIntervalGoesBackToCompleted() {
        completedBy("t1", "cell-1");
        fixture.apply(new TaskRequest.Resolving("t1"));
        fixture.clock.advance(SETTINGS.kick());

        assertEquals(1, pass().repairs().demoted());
        assertEquals(TaskState.COMPLETED, fixture.get("t1").getState());
    }

    @Test
    void aPendingTaskPastItsExpiryFailsAsNotClaimedInTime() {
        fixture.desire("t1");
        fixture.clock.advance(SETTINGS.pendingExpiry());

        assertEquals(1, pass().repairs().failed());
        Task failed = fixture.get("t1");
        assertEquals(TaskState.COMPLETED, failed.getState());
        assertTrue(failed.getFailed());
        assertEquals(ConvergenceRules.NOT_CLAIMED_IN_TIME, failed.getFailureReason());
    }

    @Test
    void claimedAndRunningTasksOfAnExecutorWithoutPresenceFailAndOthersAreLeftAlone() {
        long gone = fixture.presence("cell-gone", Duration.ofSeconds(60));
        fixture.presence("cell-here", Duration.ofSeconds(60));
        claimedBy("t1", "cell-gone");
        claimedBy("t2", "cell-gone");
        fixture.apply(new TaskRequest.Start("t2", "cell-gone", "c-2"));
        claimedBy("t3", "cell-here");
        fixture.revoke(gone);

        PassReport report = pass();

        assertEquals(2, report.repairs().failed());
        for (String guid : List.of("t1", "t2")) {
            assertEquals(TaskState.COMPLETED, fixture.get(guid).getState(), guid);
            assertEquals(ConvergenceRules.EXECUTOR_DISAPPEARED, fixture.get(guid).getFailureReason(), guid);
        }
        assertEquals(TaskState.CLAIMED, fixture.get("t3").getState());
    }

    @Test
    void aCompletedTaskPastTheCompletedExpiryIsDeletedWithItsIndexKeys() {
        completedBy("t1", "cell-1");
        fixture.clock.advance(SETTINGS.completedExpiry());

        assertEquals(1, pass().repairs().expired());
        assertFalse(fixture.exists("t1"));
        assertEquals(List.of(), List.copyOf(fixture.indexKeys()));
    }

    @Test
    void anUnreadableRecordIsPrunedAndCounted() {
        fixture.putRaw("junk", new byte[] {(byte) 0xff, 0x03});
        fixture.desire("t1");

        PassReport report = pass();

        assertEquals(1, report.repairs().pruned());
        assertEquals(1, report.tasks().unreadable());
        assertFalse(fixture.exists("junk"));
        assertTrue(fixture.exists("t1"));
    }

    @Test
    void aRepairThatLosesTheRaceToARealTransitionChangesNothing() {
        fixture.presence("cell-1", Duration.ofSeconds(60));
        claimedBy("t1", "cell-1");
        fixture.clock.advance(SETTINGS.claimTimeout());
        ConvergerObserver startsFirst = new ConvergerObserver() {
            @Override
            public void decided(List<Repair> repairs) {
                // the executor starts the task after the pass read it and before the demotion is sent
                fixture.apply(new TaskRequest.Start("t1", "cell-1", "c-1"));
            }

            @Override
            public void repaired(Repair repair, ConditionalOutcome outcome) {
                outcomes.add(outcome);
            }
        };
        long started;

        PassReport report = fixture.pass(SETTINGS, startsFirst).run(Fence.none());
        started = fixture.modRevision("t1");

        assertEquals(1, report.repairs().lost());
        assertEquals(0, report.repairs().landed());
        assertInstanceOf(ConditionalOutcome.Lost.class, outcomes.get(0));
        assertEquals(TaskState.RUNNING, fixture.get("t1").getState());
        assertEquals("cell-1", fixture.get("t1").getExecutorId());
        assertEquals(started, fixture.modRevision("t1"));
    }

    @Test
    void aPassOverManyPagesCountsEveryStateAndRepairsEveryPage() {
        fixture.presence("cell-1", Duration.ofSeconds(60));
        for (int i = 0; i < 5; i++) {
            fixture.desire("p" + i);
        }
        claimedBy("c0", "cell-1");
        completedBy("d0", "cell-1");
        fixture.clock.advance(SETTINGS.kick());

        PassReport report = pass();

        assertEquals(new PassReport.TaskCounts(5, 1, 0, 1, 0, 0), report.tasks());
        assertEquals(6, report.repairs().kicked(), "five pending and one completed task, across four pages");
        assertInstanceOf(PassReport.Ending.Completed.class, report.ending());
        assertEquals(1, report.presentExecutors());
    }

    @Test
    void aPassWhoseFenceIsGoneWritesNothingAndEndsDeposed() {
        fixture.desire("t1");
        fixture.desire("t2");
        long before = fixture.modRevision("t2");
        fixture.clock.advance(SETTINGS.kick());
        Fence gone = Fence.electionKey(fixture.keys.convergerElection(), 1);

        PassReport report = fixture.pass(SETTINGS, recording).run(gone);

        assertInstanceOf(PassReport.Ending.Deposed.class, report.ending());
        assertEquals(0, report.repairs().landed());
        assertEquals(before, fixture.modRevision("t2"));
        assertTrue(outcomes.stream().allMatch(o -> o instanceof ConditionalOutcome.Deposed), outcomes::toString);
    }

    private PassReport pass() {
        return fixture.pass(SETTINGS, recording).run(Fence.none());
    }

    private void claimedBy(String guid, String executor) {
        fixture.desire(guid);
        fixture.apply(new TaskRequest.Claim(guid, executor));
    }

    private void completedBy(String guid, String executor) {
        claimedBy(guid, executor);
        fixture.apply(new TaskRequest.Complete(guid, executor, false, "", "ok"));
    }
}
