package dev.corkboard.bbs.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corkboard.proto.v1.ClusterServiceGrpc;
import dev.corkboard.proto.v1.ConvergerStatus;
import dev.corkboard.proto.v1.GetConvergerStatusRequest;
import dev.corkboard.proto.v1.GetConvergerStatusResponse;
import dev.corkboard.testkit.EtcdCluster;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.election.LeaderKey;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * ClusterService reads the converger's election and status keys on real etcd. A real converger writing them is
 * exercised in the converger module (which depends on this one); here the keys are written the way etcd's election
 * API and the converger write them.
 */
class ClusterServiceTest {

    @RegisterExtension
    static final BbsExtension bbs = new BbsExtension();

    private static final GetConvergerStatusRequest REQUEST = GetConvergerStatusRequest.getDefaultInstance();

    private static ClusterServiceGrpc.ClusterServiceBlockingStub cluster(ManagedChannel channel) {
        return ClusterServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    @Test
    void beforeAnyConvergerThereIsNoStatusAndNoLeader() {
        GetConvergerStatusResponse response = cluster(bbs.fixture().channel).getConvergerStatus(REQUEST);

        assertFalse(response.hasStatus());
        assertEquals("", response.getCurrentLeaderId());
        assertTrue(response.getRevision() > 0, "read at a revision");
    }

    @Test
    void theLeaderIsTheOldestCandidateOfTheElectionAndTheStatusIsTheStoredRecord() throws Exception {
        BbsFixture fixture = bbs.fixture();
        ByteSequence election = ByteSequence.from(fixture.prefix + "/election/converger", StandardCharsets.UTF_8);
        long first = fixture.etcd.getLeaseClient().grant(60).get().getID();
        long second = fixture.etcd.getLeaseClient().grant(60).get().getID();
        LeaderKey leader = campaign(fixture.etcd, election, first, "converger-a");
        // the second candidate waits behind the first; its key exists but it does not lead
        var waiting = fixture.etcd.getElectionClient().campaign(election, second,
                ByteSequence.from("converger-b", StandardCharsets.UTF_8));
        ConvergerStatus status = ConvergerStatus.newBuilder().setLeaderId("converger-old").setKicked(3).build();
        fixture.putRaw("/converger/status", status.toByteArray());

        GetConvergerStatusResponse response = cluster(fixture.channel).getConvergerStatus(REQUEST);

        assertEquals("converger-a", response.getCurrentLeaderId());
        assertEquals(status, response.getStatus());
        assertTrue(leader.getRevision() > 0);

        fixture.etcd.getLeaseClient().revoke(first).get();
        waiting.get(30, TimeUnit.SECONDS);
        assertEquals("converger-b", cluster(fixture.channel).getConvergerStatus(REQUEST).getCurrentLeaderId(),
                "once the leader's key is gone the next candidate leads");
        fixture.etcd.getLeaseClient().revoke(second).get();
    }

    @Test
    void anUnreadableStatusRecordIsDataLoss() {
        bbs.fixture().putRaw("/converger/status", new byte[] {(byte) 0xff, 0x01});

        StatusRuntimeException e = BbsFixture.refusal(() -> cluster(bbs.fixture().channel)
                .getConvergerStatus(REQUEST));

        assertEquals(Status.Code.DATA_LOSS, e.getStatus().getCode(), e.getStatus().toString());
    }

    @Test
    void whileEtcdIsDownTheCallIsUnavailableWithinTheRequestTimeoutAndCountedByCallMetrics() throws Exception {
        try (EtcdCluster etcd = EtcdCluster.single(); BbsServer server = BbsServer.start(BbsConfig.parse(
                new String[] {"--listen", "127.0.0.1:0", "--etcd-endpoints", etcd.endpointsCsv(), "--metrics-listen",
                    "off", "--request-timeout", "1s"}, Map.of()))) {
            ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext()
                    .build();
            try {
                cluster(channel).getConvergerStatus(REQUEST);
                etcd.member(0).kill();
                // generous bound: it proves the call does not hang; the store's deadline itself is one second
                StatusRuntimeException e = assertTimeoutPreemptively(Duration.ofSeconds(15),
                        () -> BbsFixture.refusal(() -> cluster(channel).getConvergerStatus(REQUEST)));
                assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.getStatus().toString());
                String method = "corkboard.v1.ClusterService/GetConvergerStatus";
                assertEquals(1, server.registry().get(CallMetrics.TIMER).tag("method", method).tag("code", "OK")
                        .timer().count());
                assertEquals(1, server.registry().get(CallMetrics.TIMER).tag("method", method)
                        .tag("code", "UNAVAILABLE").timer().count());
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    private static LeaderKey campaign(Client etcd, ByteSequence election, long lease, String id) throws Exception {
        return etcd.getElectionClient().campaign(election, lease, ByteSequence.from(id, StandardCharsets.UTF_8))
                .get(30, TimeUnit.SECONDS).getLeader();
    }
}
