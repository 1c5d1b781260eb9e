package dev.corkboard.converger.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.corkboard.bbs.store.TaskRecord;
import dev.corkboard.converger.ConvergerSettings;
import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * Every rule at its exact boundary, with a fixed clock: one millisecond before a threshold nothing happens; at it and
 * one millisecond after it the repair is due. Thresholds are distinct primes of seconds so a rule measured from the
 * wrong setting or timestamp fails.
 */
class ConvergenceRulesTest {

    static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    static final Duration KICK = Duration.ofSeconds(31);
    static final Duration CLAIM_TIMEOUT = Duration.ofSeconds(37);
    static final Duration PENDING_EXPIRY = Duration.ofSeconds(1801);
    static final Duration COMPLETED_EXPIRY = Duration.ofSeconds(127);
    static final ConvergerSettings SETTINGS = ConvergerSettings.defaults()
            .withThresholds(KICK, CLAIM_TIMEOUT, PENDING_EXPIRY, COMPLETED_EXPIRY);
    static final ConvergenceRules RULES = new ConvergenceRules(SETTINGS);
    static final String OWNER = "cell-1";
    static final Set<String> OWNER_PRESENT = Set.of(OWNER, "cell-2");

    /** The record a boundary is measured on, how far from T0 its timestamp sits, and the repair due at it. */
    record Boundary(String name, Task task, Duration threshold, Function<TaskRecord.Readable, Repair> due) {
        @Override
        public String toString() {
            return name;
        }
    }

    static final List<Boundary> BOUNDARIES = List.of(
            new Boundary("1. pending not updated for kick is re-announced (updated_at)",
                    pending().setUpdatedAtMs(T0.toEpochMilli()).setCreatedAtMs(T0.toEpochMilli()).build(),
                    KICK, Repair.Kick::new),
            new Boundary("2. completed not updated for kick is re-notified (updated_at)",
                    completed().setUpdatedAtMs(T0.toEpochMilli()).setFirstCompletedAtMs(T0.toEpochMilli()).build(),
                    KICK, Repair.Kick::new),
            new Boundary("3. claimed not started within claim timeout is demoted (claimed_at)",
                    claimed().setClaimedAtMs(T0.toEpochMilli()).setUpdatedAtMs(T0.toEpochMilli()).build(),
                    CLAIM_TIMEOUT, Repair.DemoteClaim::new),
            new Boundary("4. resolving not updated for kick is demoted (updated_at)",
                    completed().setState(TaskState.RESOLVING).setUpdatedAtMs(T0.toEpochMilli())
                            .setFirstCompletedAtMs(T0.toEpochMilli()).build(),
                    KICK, Repair.DemoteResolving::new),
            new Boundary("5. pending older than pending expiry fails (created_at)",
                    pending().setCreatedAtMs(T0.toEpochMilli()).setUpdatedAtMs(at(PENDING_EXPIRY).toEpochMilli())
                            .build(),
                    PENDING_EXPIRY, read -> new Repair.Fail(read, ConvergenceRules.NOT_CLAIMED_IN_TIME)),
            new Boundary("7. completed older than completed expiry is expired (first_completed_at)",
                    completed().setFirstCompletedAtMs(T0.toEpochMilli())
                            .setUpdatedAtMs(at(COMPLETED_EXPIRY).toEpochMilli()).build(),
                    COMPLETED_EXPIRY, Repair.Expire::new));

    @ParameterizedTest(name = "{0}")
    @FieldSource("BOUNDARIES")
    void oneMillisecondBeforeTheThresholdNothingIsDue(Boundary boundary) {
        Instant justBefore = at(boundary.threshold()).minusMillis(1);

        assertEquals(Optional.empty(), decide(boundary.task(), justBefore));
    }

    @ParameterizedTest(name = "{0}")
    @FieldSource("BOUNDARIES")
    void atTheThresholdTheRepairIsDue(Boundary boundary) {
        TaskRecord.Readable read = read(boundary.task());

        assertEquals(Optional.of(boundary.due().apply(read)),
                RULES.decide(read, OWNER_PRESENT, at(boundary.threshold())));
    }

    @ParameterizedTest(name = "{0}")
    @FieldSource("BOUNDARIES")
    void oneMillisecondAfterTheThresholdTheRepairIsDue(Boundary boundary) {
        TaskRecord.Readable read = read(boundary.task());

        assertEquals(Optional.of(boundary.due().apply(read)),
                RULES.decide(read, OWNER_PRESENT, at(boundary.threshold()).plusMillis(1)));
    }

    // ---- rule 6: presence, and the overlaps

    @Test
    void aClaimedTaskWhoseExecutorIsGoneFailsAtOnceWhateverItsAge() {
        Task task = claimed().setClaimedAtMs(T0.toEpochMilli()).setUpdatedAtMs(T0.toEpochMilli()).build();

        assertEquals(Optional.of(new Repair.Fail(read(task), ConvergenceRules.EXECUTOR_DISAPPEARED)),
                RULES.decide(read(task), Set.of("cell-2"), T0));
    }

    @Test
    void aRunningTaskWhoseExecutorIsGoneFails() {
        Task task = claimed().setState(TaskState.RUNNING).setContainerHandle("c").setClaimedAtMs(T0.toEpochMilli())
                .setUpdatedAtMs(T0.toEpochMilli()).build();

        assertEquals(Optional.of(new Repair.Fail(read(task), ConvergenceRules.EXECUTOR_DISAPPEARED)),
                RULES.decide(read(task), Set.of(), T0.plusMillis(1)));
    }

    @Test
    void aRunningTaskWhoseExecutorIsPresentIsLeftAloneHoweverOld() {
        Task task = claimed().setState(TaskState.RUNNING).setClaimedAtMs(T0.toEpochMilli())
                .setUpdatedAtMs(T0.toEpochMilli()).build();

        assertEquals(Optional.empty(), RULES.decide(read(task), OWNER_PRESENT, T0.plus(Duration.ofDays(365))));
    }

    @Test
    void aClaimedTaskPastItsClaimTimeoutWhoseExecutorLeftFailsRatherThanGoingBackToPending() {
        Task task = claimed().setClaimedAtMs(T0.toEpochMilli()).setUpdatedAtMs(T0.toEpochMilli()).build();

        assertEquals(Optional.of(new Repair.Fail(read(task), ConvergenceRules.EXECUTOR_DISAPPEARED)),
                RULES.decide(read(task), Set.of(), at(CLAIM_TIMEOUT)));
    }

    @Test
    void aPendingTaskPastItsExpiryFailsRatherThanBeingKicked() {
        Task task = pending().setCreatedAtMs(T0.toEpochMilli()).setUpdatedAtMs(T0.toEpochMilli()).build();

        assertEquals(Optional.of(new Repair.Fail(read(task), ConvergenceRules.NOT_CLAIMED_IN_TIME)),
                decide(task, at(PENDING_EXPIRY)));
    }

    @Test
    void aCompletedTaskPastItsExpiryIsExpiredRatherThanReNotified() {
        Task task = completed().setFirstCompletedAtMs(T0.toEpochMilli()).setUpdatedAtMs(T0.toEpochMilli()).build();

        assertEquals(Optional.of(new Repair.Expire(read(task))), decide(task, at(COMPLETED_EXPIRY)));
    }

    @Test
    void aResolvingTaskPastTheCompletedExpiryIsDemotedNotDeleted() {
        Task task = completed().setState(TaskState.RESOLVING).setFirstCompletedAtMs(T0.toEpochMilli())
                .setUpdatedAtMs(T0.toEpochMilli()).build();

        assertEquals(Optional.of(new Repair.DemoteResolving(read(task))), decide(task, at(COMPLETED_EXPIRY)));
    }

    @Test
    void aRecentlyKickedPendingTaskIsNotKickedAgainUntilTheKickIntervalPassesAgain() {
        Instant kickedAt = at(KICK);
        Task task = pending().setCreatedAtMs(T0.toEpochMilli()).setUpdatedAtMs(kickedAt.toEpochMilli()).build();

        assertEquals(Optional.empty(), decide(task, kickedAt.plus(KICK).minusMillis(1)));
        assertEquals(Optional.of(new Repair.Kick(read(task))), decide(task, kickedAt.plus(KICK)));
    }

    @Test
    void timestampsFromAClockAheadOfOursReachNoThreshold() {
        Instant ahead = T0.plus(Duration.ofHours(1));
        Task task = pending().setCreatedAtMs(ahead.toEpochMilli()).setUpdatedAtMs(ahead.toEpochMilli()).build();

        assertEquals(Optional.empty(), decide(task, T0));
    }

    @Test
    void anUnreadableRecordIsPruned() {
        TaskRecord.Unreadable junk = new TaskRecord.Unreadable("junk", 17, "not a task record");

        assertEquals(Optional.of(new Repair.Prune(junk)), RULES.decide(junk, Set.of(), T0));
    }

    @Test
    void aPageIsDecidedRecordByRecordInOrderLeavingOutRecordsThatNeedNothing() {
        Clock clock = Clock.fixed(at(KICK), ZoneOffset.UTC);
        Task stale = pending().setGuid("a").setCreatedAtMs(T0.toEpochMilli()).setUpdatedAtMs(T0.toEpochMilli())
                .build();
        Task fresh = pending().setGuid("b").setCreatedAtMs(clock.millis()).setUpdatedAtMs(clock.millis()).build();
        TaskRecord.Unreadable junk = new TaskRecord.Unreadable("c", 3, "bad");

        List<Repair> repairs = RULES.decide(List.of(read(stale), read(fresh), junk), OWNER_PRESENT, clock.instant());

        assertEquals(List.of(new Repair.Kick(read(stale)), new Repair.Prune(junk)), repairs);
    }

    @Test
    void eachRepairCarriesTheCallThatPerformsIt() {
        TaskRecord.Readable read = read(pending().build());

        assertEquals("KICK", new Repair.Kick(read).request().orElseThrow().call().name());
        assertEquals("FAIL", new Repair.Fail(read, "r").request().orElseThrow().call().name());
        assertEquals(Optional.empty(), new Repair.Prune(new TaskRecord.Unreadable("x", 1, "p")).request());
    }

    // ---- fixtures

    private static Optional<Repair> decide(Task task, Instant now) {
        return RULES.decide(read(task), OWNER_PRESENT, now);
    }

    private static TaskRecord.Readable read(Task task) {
        return new TaskRecord.Readable(task, 42);
    }

    static Instant at(Duration sinceT0) {
        return T0.plus(sinceT0);
    }

    private static Task.Builder pending() {
        return Task.newBuilder().setGuid("t1").setDomain("d").setState(TaskState.PENDING);
    }

    private static Task.Builder claimed() {
        return pending().setState(TaskState.CLAIMED).setExecutorId(OWNER);
    }

    private static Task.Builder completed() {
        return claimed().setState(TaskState.COMPLETED).setCreatedAtMs(T0.minusSeconds(10).toEpochMilli());
    }
}
