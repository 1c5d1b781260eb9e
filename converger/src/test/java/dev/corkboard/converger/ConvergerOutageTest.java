package dev.corkboard.converger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.corkboard.bbs.store.Fence;
import dev.corkboard.proto.v1.ConvergerStatus;
import dev.corkboard.testkit.EtcdCluster;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** With etcd gone a pass fails instead of hanging, leadership lapses, and both come back with etcd. */
class ConvergerOutageTest {

    @Test
    void aPassFailsWithinTheRequestTimeoutWhileEtcdIsDown() {
        try (EtcdCluster cluster = EtcdCluster.single();
                ConvergerFixture fixture = new ConvergerFixture(cluster.clientEndpoints(), Duration.ofSeconds(1))) {
            fixture.desire("t1");
            cluster.member(0).kill();

            // generous bound: it only proves the pass does not hang; the deadline itself is one second
            PassReport report = assertTimeoutPreemptively(Duration.ofSeconds(15),
                    () -> fixture.pass(ConvergerSettings.defaults(), ConvergerObserver.NONE).run(Fence.none()));

            assertInstanceOf(PassReport.Ending.Failed.class, report.ending());
            assertEquals(0, report.repairs().landed());
        }
    }

    @Test
    void aLeaderCutOffFromEtcdStopsLeadingAndLeadsAndPassesAgainOnceEtcdIsBack() {
        try (EtcdCluster cluster = EtcdCluster.single();
                ConvergerFixture fixture = new ConvergerFixture(cluster.clientEndpoints(), Duration.ofSeconds(1))) {
            ConvergerSettings settings = ConvergerSettings.defaults().withInterval(Duration.ofSeconds(1))
                    .withLeaseTtl(Duration.ofSeconds(2));
            Converger converger = fixture.converger("converger-a", settings, ConvergerObserver.NONE);
            converger.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> fixture.status().isPresent());

            cluster.member(0).kill();
            // no renewal lands, so jetcd ends the keep-alive after the TTL and the converger steps down
            await().atMost(Duration.ofSeconds(20)).until(() -> !converger.isLeader());

            cluster.member(0).start();
            long before = fixture.status().map(ConvergerStatus::getLastPassStartedAtMs).orElseThrow();
            fixture.clock.advance(Duration.ofMinutes(1));
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> converger.isLeader()
                    && fixture.status().orElseThrow().getLastPassStartedAtMs() > before);
        }
    }
}
