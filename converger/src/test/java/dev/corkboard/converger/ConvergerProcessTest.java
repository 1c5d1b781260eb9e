package dev.corkboard.converger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corkboard.proto.v1.ConvergerStatus;
import dev.corkboard.testkit.FixtureExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Convergers in separate JVMs against one real etcd: a killed leader is replaced within the lease TTL and one
 * interval; a leader frozen with SIGSTOP past its lease is replaced, and once it runs again none of its writes land.
 */
class ConvergerProcessTest {

    @RegisterExtension
    static final FixtureExtension<ConvergerFixture> etcd = new FixtureExtension<>(ConvergerFixture::new);

    static final Duration TTL = Duration.ofSeconds(3);
    static final Duration INTERVAL = Duration.ofSeconds(1);
    /** A JVM on a busy two-core machine needs this long to start and connect. */
    static final Duration STARTUP = Duration.ofSeconds(30);
    static final String NEVER = Long.toString(Duration.ofHours(10).toMillis());

    private ConvergerFixture fixture;
    private final List<ChildConverger> children = new ArrayList<>();

    @BeforeEach
    void open() {
        fixture = etcd.fixture();
    }

    @org.junit.jupiter.api.AfterEach
    void stopChildren() throws Exception {
        for (ChildConverger child : children) {
            child.close();
        }
    }

    @Test
    void whenTheLeadersProcessIsKilledTheOtherLeadsWithinTheLeaseTtlAndOneInterval() throws Exception {
        ChildConverger a = launch("proc-a", NEVER, false);
        await().atMost(STARTUP).until(() -> a.printed("PASS Completed"));
        ChildConverger b = launch("proc-b", NEVER, false);
        await().atMost(STARTUP).until(() -> b.printed("STARTED"));

        a.kill();

        // A's lease was renewed at most TTL/3 before the kill and nobody revokes it, so etcd expires it within the
        // TTL; one second of slack covers etcd's lease checker (every 500 ms) and a busy machine's scheduling
        Duration bound = TTL.plus(INTERVAL).plus(Duration.ofSeconds(1));
        await().atMost(bound).until(() -> b.printed("ELECTED"));
        await().atMost(Duration.ofSeconds(10)).until(() -> b.printed("STATUS LANDED"));
        assertEquals("proc-b", fixture.status().map(ConvergerStatus::getLeaderId).orElseThrow());
        assertFalse(b.printed("DEPOSED"));
    }

    @Test
    void aLeaderFrozenPastItsLeaseIsReplacedAndWhenItRunsAgainNoneOfItsWritesLand() throws Exception {
        // stale pending tasks: only A, with a one-second kick, wants to write them; B never would
        fixture.clock.set(Instant.now().minusSeconds(60));
        List<String> guids = List.of("t1", "t2", "t3");
        guids.forEach(fixture::desire);
        Map<String, Long> revisions = revisions(guids);
        ChildConverger a = launch("proc-a", "1000", true);
        await().atMost(STARTUP).until(() -> a.printed("DECIDED 3"));
        ChildConverger b = launch("proc-b", NEVER, false);
        await().atMost(STARTUP).until(() -> b.printed("STARTED"));

        // A has read the tasks and decided its kicks; it is frozen before sending them
        a.pause();
        await().atMost(TTL.multipliedBy(3)).until(() -> b.printed("ELECTED"));
        a.release();
        a.resume();

        await().atMost(Duration.ofSeconds(15)).until(() -> a.linesStartingWith("WRITE").size() == 3
                && a.printed("DEPOSED"));
        for (String write : a.linesStartingWith("WRITE")) {
            assertTrue(write.endsWith("Deposed NOT_LANDED"), write);
        }
        assertFalse(a.printed("STATUS LANDED"), "the deposed leader's status must not land either");
        assertEquals(revisions, revisions(guids), "etcd holds no write of the deposed leader");
        await().atMost(Duration.ofSeconds(10)).until(() -> fixture.status().isPresent());
        assertEquals("proc-b", fixture.status().orElseThrow().getLeaderId());
        assertFalse(b.printed("DEPOSED"), "the new leader keeps leading");
    }

    private ChildConverger launch(String id, String kickMillis, boolean gated) throws Exception {
        ChildConverger child = ChildConverger.launch(id, List.of(
                "endpoints=" + String.join(",", fixture.endpoints),
                "prefix=" + fixture.storeSettings.prefix(),
                "ttl=" + TTL.toSeconds(),
                "interval=" + INTERVAL.toMillis(),
                "kick=" + kickMillis, "claim=" + NEVER, "pending=" + NEVER, "completed=" + NEVER,
                "gate=" + gated));
        children.add(child);
        return child;
    }

    private Map<String, Long> revisions(List<String> guids) {
        Map<String, Long> revisions = new TreeMap<>();
        guids.forEach(guid -> revisions.put(guid, fixture.modRevision(guid)));
        return revisions;
    }
}
