package dev.corkboard.converger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corkboard.bbs.state.TaskRequest;
import dev.corkboard.converger.rules.ConvergenceRules;
import dev.corkboard.proto.v1.ConvergerStatus;
import dev.corkboard.proto.v1.TaskState;
import dev.corkboard.testkit.FixtureExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Convergers in one JVM on a real etcd: one leads and acts, closing it hands over, presence loss triggers a pass. */
class ConvergerLeadershipTest {

    @RegisterExtension
    static final FixtureExtension<ConvergerFixture> etcd = new FixtureExtension<>(ConvergerFixture::new);

    /** Passes run on election and on executor departures only, so every pass a test sees is one it caused. */
    static final ConvergerSettings SETTINGS = ConvergerSettings.defaults().withInterval(Duration.ofHours(1))
            .withLeaseTtl(Duration.ofSeconds(3));

    private ConvergerFixture fixture;

    @BeforeEach
    void open() {
        fixture = etcd.fixture();
    }

    @Test
    void ofTwoConvergersExactlyOneLeadsAndOnlyItRunsPasses() {
        Passes passesOfA = new Passes();
        Passes passesOfB = new Passes();
        Converger a = fixture.converger("converger-a", SETTINGS, passesOfA);
        Converger b = fixture.converger("converger-b", SETTINGS, passesOfB);
        a.start();
        b.start();

        await().atMost(Duration.ofSeconds(10)).until(() -> a.isLeader() || b.isLeader());
        Converger leader = a.isLeader() ? a : b;
        Passes leaderPasses = a.isLeader() ? passesOfA : passesOfB;
        Passes followerPasses = a.isLeader() ? passesOfB : passesOfA;
        await().atMost(Duration.ofSeconds(10)).until(() -> fixture.status().isPresent());

        assertFalse(a.isLeader() && b.isLeader());
        assertEquals(leader.id(), fixture.status().orElseThrow().getLeaderId());
        assertEquals(1, leaderPasses.reports.size());
        assertEquals(List.of(), followerPasses.reports);
        assertEquals(Optional.empty(), (a.isLeader() ? b : a).runPass(), "a follower runs no pass when asked");
    }

    @Test
    void closingTheLeaderHandsOverToTheOtherWhichThenActs() {
        Converger a = fixture.converger("converger-a", SETTINGS, ConvergerObserver.NONE);
        a.start();
        await().atMost(Duration.ofSeconds(10)).until(a::isLeader);
        Converger b = fixture.converger("converger-b", SETTINGS, ConvergerObserver.NONE);
        b.start();
        fixture.desire("t1");
        fixture.clock.advance(SETTINGS.kick());

        a.close();

        // the lease is revoked on close: the hand-over does not wait for the TTL
        await().atMost(Duration.ofSeconds(10)).until(b::isLeader);
        await().atMost(Duration.ofSeconds(10)).until(() -> fixture.status().map(ConvergerStatus::getLeaderId)
                .filter("converger-b"::equals).isPresent());
        assertEquals(fixture.clock.millis(), fixture.get("t1").getUpdatedAtMs(), "the new leader kicked the task");
        assertEquals(1, fixture.status().orElseThrow().getKicked());
    }

    @Test
    void anExecutorsPresenceRevokedFailsItsClaimedAndRunningTasksAtOnce() {
        long lease = fixture.presence("cell-1", Duration.ofSeconds(60));
        fixture.presence("cell-2", Duration.ofSeconds(60));
        claimedBy("t1", "cell-1");
        claimedBy("t2", "cell-1");
        fixture.apply(new TaskRequest.Start("t2", "cell-1", "c-2"));
        claimedBy("t3", "cell-2");
        Passes passes = new Passes();
        Converger converger = fixture.converger("converger-a", SETTINGS, passes);
        converger.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> passes.reports.size() == 1);

        fixture.revoke(lease);

        await().atMost(Duration.ofSeconds(10)).until(() -> fixture.get("t2").getState() == TaskState.COMPLETED
                && fixture.get("t1").getState() == TaskState.COMPLETED);
        assertEquals(ConvergenceRules.EXECUTOR_DISAPPEARED, fixture.get("t1").getFailureReason());
        assertEquals(ConvergenceRules.EXECUTOR_DISAPPEARED, fixture.get("t2").getFailureReason());
        assertEquals(TaskState.CLAIMED, fixture.get("t3").getState());
        assertEquals(2, passes.reports.size(), "the departure triggered one pass, not the hour-long interval");
    }

    @Test
    void anExecutorWhosePresenceLeaseLapsesHasItsRunningTaskFailed() {
        fixture.presence("cell-1", Duration.ofSeconds(2));
        claimedBy("t1", "cell-1");
        fixture.apply(new TaskRequest.Start("t1", "cell-1", "c-1"));
        Converger converger = fixture.converger("converger-a", SETTINGS, ConvergerObserver.NONE);
        converger.start();

        // nobody keeps the lease alive: etcd deletes the presence after its TTL and the deletion triggers a pass
        await().atMost(Duration.ofSeconds(15)).until(() -> fixture.get("t1").getState() == TaskState.COMPLETED);
        assertEquals(ConvergenceRules.EXECUTOR_DISAPPEARED, fixture.get("t1").getFailureReason());
    }

    @Test
    void aLeaderWhoseElectionKeyVanishedWritesNothingStepsDownAndLeadsAgainOnANewTerm() {
        Passes passes = new Passes();
        Converger converger = fixture.converger("converger-a", SETTINGS, passes);
        converger.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> passes.reports.size() == 1);
        fixture.desire("t1");
        long before = fixture.modRevision("t1");
        fixture.clock.advance(SETTINGS.kick());
        fixture.deleteElectionKeys();

        PassReport refused = converger.runPass().orElseThrow();

        assertInstanceOf(PassReport.Ending.Deposed.class, refused.ending());
        assertEquals(before, fixture.modRevision("t1"), "a deposed leader's kick must not land");
        // it stepped down, campaigned on a new lease, and its first pass of the new term repairs the task
        await().atMost(Duration.ofSeconds(10)).until(() -> fixture.modRevision("t1") != before);
        assertEquals(fixture.clock.millis(), fixture.get("t1").getUpdatedAtMs());
        assertTrue(converger.isLeader());
    }

    @Test
    void aLeaderRunsAPassEveryIntervalAndWritesItsStatusEachTime() {
        Passes passes = new Passes();
        Converger converger = fixture.converger("converger-a", SETTINGS.withInterval(Duration.ofMillis(200)), passes);
        converger.start();

        await().atMost(Duration.ofSeconds(10)).until(() -> passes.reports.size() >= 3);
        long completed = passes.reports.stream()
                .filter(report -> report.ending() instanceof PassReport.Ending.Completed).count();
        assertTrue(completed >= 3, "every pass of a quiet table completes");
        assertEquals(converger.lastStatus().map(ConvergerStatus::getLeaderId), Optional.of("converger-a"));
    }

    @Test
    void aLeaderWhoseStatusWriteIsRefusedByTheFenceStepsDown() {
        List<Boolean> statuses = new CopyOnWriteArrayList<>();
        List<String> deposals = new CopyOnWriteArrayList<>();
        Converger converger = fixture.converger("converger-a", SETTINGS, new ConvergerObserver() {
            @Override
            public void statusWritten(boolean landed) {
                statuses.add(landed);
            }

            @Override
            public void deposed(Leadership.Term term, String reason) {
                deposals.add(reason);
            }
        });
        converger.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> statuses.size() == 1);
        fixture.deleteElectionKeys();

        PassReport nothingToDo = converger.runPass().orElseThrow();

        assertEquals(0, nothingToDo.repairs().landed());
        assertEquals(List.of(true, false), statuses.subList(0, 2));
        await().atMost(Duration.ofSeconds(10)).until(() -> !deposals.isEmpty());
        assertEquals("the status write was refused by the fence", deposals.get(0));
    }

    @Test
    void theLeaderGaugeAndPassMetricsFollowLeadership() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        fixture.desire("t1");
        fixture.putRaw("junk", new byte[] {(byte) 0xff});
        Converger converger = fixture.converger("converger-a", SETTINGS, ConvergerObserver.NONE, meters);
        converger.start();

        await().atMost(Duration.ofSeconds(10)).until(() -> meters.get("corkboard.converger.passes")
                .tag("ending", "completed").counter().count() == 1);
        assertEquals(1, meters.get("corkboard.converger.leader").gauge().value());
        assertEquals(1, meters.get("corkboard.converger.tasks").tag("state", "pending").gauge().value());
        assertEquals(1, meters.get("corkboard.converger.repairs").tag("repair", "pruned").counter().count());
        assertEquals(1, meters.get("corkboard.converger.pass.duration").timer().count());

        converger.close();

        assertEquals(0, meters.get("corkboard.converger.leader").gauge().value());
    }

    private void claimedBy(String guid, String executor) {
        fixture.desire(guid);
        fixture.apply(new TaskRequest.Claim(guid, executor));
    }

    /** Records every pass report. */
    static final class Passes implements ConvergerObserver {
        final List<PassReport> reports = new CopyOnWriteArrayList<>();

        @Override
        public void passed(PassReport report) {
            reports.add(report);
        }
    }
}
