package dev.corkboard.testkit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EtcdMemberTest {

    private static final Duration RECOVERY = Duration.ofSeconds(20);

    @Test
    void startsOnALoopbackPortAndServesPutAndGet() throws Exception {
        try (EtcdMember member = EtcdMember.standalone().start();
                KvClient kv = new KvClient(member.clientEndpoint())) {
            assertTrue(member.isRunning());
            assertTrue(
                    member.clientEndpoint().matches("http://127\\.0\\.0\\.1:\\d+"), member.clientEndpoint());

            kv.put("greeting", "hello");

            assertEquals(Optional.of("hello"), kv.get("greeting"));
            assertTrue(member.status().isLeader());
        }
    }

    @Test
    void dataSurvivesARestartOnTheSameEndpoint() throws Exception {
        try (EtcdMember member = EtcdMember.standalone().start();
                KvClient kv = new KvClient(member.clientEndpoint())) {
            String endpoint = member.clientEndpoint();
            kv.put("job/1", "queued");

            member.restart();

            assertEquals(endpoint, member.clientEndpoint());
            // the same client reconnects by itself; the first calls may still see the old connection die
            await().atMost(RECOVERY).ignoreExceptions()
                    .until(() -> kv.get("job/1").equals(Optional.of("queued")));
        }
    }

    @Test
    void aKilledMemberFailsClientCallsUntilStartedAgain() throws Exception {
        try (EtcdMember member = EtcdMember.standalone().start();
                KvClient kv = new KvClient(member.clientEndpoint())) {
            kv.put("before", "kill");

            member.kill();

            assertFalse(member.isRunning());
            // jetcd keeps retrying an unreachable endpoint, so "fails" shows as a timeout or an error
            assertThrows(Exception.class, () -> kv.put("during", "kill", Duration.ofSeconds(1)));

            member.start();

            await().atMost(RECOVERY).ignoreExceptions().untilAsserted(() -> kv.put("after", "kill"));
            assertEquals(Optional.of("kill"), kv.get("before"));
        }
    }

    @Test
    void closeKillsEtcdAndDeletesItsDirectory() {
        EtcdMember member = EtcdMember.standalone().start();
        ProcessHandle etcd = ProcessHandle.of(member.pid().orElseThrow()).orElseThrow();

        member.close();

        assertFalse(etcd.isAlive());
        assertFalse(member.isRunning());
        assertFalse(Files.exists(member.dataDir()));
        assertThrows(IllegalStateException.class, member::start);
    }

    @Test
    void aFailedStartReportsTheTailOfEtcdsLog() {
        try (EtcdMember member = EtcdMember.standalone("--no-such-flag-for-etcd")) {
            EtcdStartException failure = assertThrows(EtcdStartException.class, member::start);

            assertTrue(failure.getMessage().contains("exited while starting"), failure.getMessage());
            assertTrue(failure.getMessage().contains("no-such-flag-for-etcd"), failure.getMessage());
            assertFalse(failure.addressInUse());
        }
    }

    @Test
    void aTakenPortIsReportedAsSuch() throws Exception {
        try (EtcdMember first = EtcdMember.standalone().start()) {
            // a second member of another cluster on the same ports, which a member never moves off
            MemberSpec clash =
                    MemberSpec.alone(
                            "clash",
                            Integer.parseInt(first.clientEndpoint().replaceAll(".*:", "")),
                            Integer.parseInt(first.peerEndpoint().replaceAll(".*:", "")),
                            EtcdMember.newClusterToken(),
                            List.of());
            try (EtcdMember second = new EtcdMember(clash, EtcdBinary.locate(), false)) {
                EtcdStartException failure = assertThrows(EtcdStartException.class, second::start);

                assertTrue(failure.addressInUse(), failure.getMessage());
            }
        }
    }
}
