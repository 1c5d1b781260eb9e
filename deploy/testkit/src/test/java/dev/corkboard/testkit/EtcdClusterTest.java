package dev.corkboard.testkit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class EtcdClusterTest {

    @RegisterExtension static final EtcdExtension etcd = EtcdExtension.cluster(3);

    private static final Duration RECOVERY = Duration.ofSeconds(20);

    @Test
    void threeMembersFormOneClusterWithOneLeader() {
        EtcdCluster cluster = etcd.cluster();
        List<MemberStatus> statuses = cluster.members().stream().map(EtcdMember::status).toList();

        Set<String> ids = statuses.stream().map(MemberStatus::memberId).collect(Collectors.toSet());
        Set<String> leaders = statuses.stream().map(MemberStatus::leaderId).collect(Collectors.toSet());
        assertEquals(3, ids.size(), statuses::toString);
        assertEquals(Set.of(cluster.leader().status().memberId()), leaders, statuses::toString);
        assertEquals(String.join(",", etcd.endpoints()), cluster.endpointsCsv());
    }

    @Test
    void survivesLosingTheLeaderAndTheLeaderRejoinsAfterRestart() throws Exception {
        EtcdCluster cluster = etcd.cluster();
        try (KvClient kv = new KvClient(cluster.clientEndpoints())) {
            kv.put("task/1", "before");
            EtcdMember oldLeader = cluster.leader();

            oldLeader.kill();

            await().atMost(RECOVERY).ignoreExceptions().untilAsserted(() -> kv.put("task/2", "without"));
            EtcdMember newLeader = cluster.leader();
            assertNotEquals(oldLeader, newLeader);

            oldLeader.restart();

            assertTrue(oldLeader.isRunning());
            // read the rejoined member's own copy: it must have caught up on what it missed
            try (KvClient rejoined = new KvClient(oldLeader.clientEndpoint())) {
                await().atMost(RECOVERY).ignoreExceptions()
                        .until(() -> rejoined.getLocal("task/2").equals(Optional.of("without")));
                assertEquals(Optional.of("before"), rejoined.getLocal("task/1"));
            }
            // whoever leads now (a rejoining member may force a new election), it follows that leader
            await().atMost(RECOVERY).ignoreExceptions()
                    .until(() -> oldLeader.status().leaderId().equals(cluster.leader().status().memberId()));
        }
    }
}
