package dev.corkboard.converger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corkboard.bbs.server.BbsConfig;
import dev.corkboard.bbs.server.BbsServer;
import dev.corkboard.proto.v1.ClusterServiceGrpc;
import dev.corkboard.proto.v1.Command;
import dev.corkboard.proto.v1.DesireTaskRequest;
import dev.corkboard.proto.v1.GetConvergerStatusRequest;
import dev.corkboard.proto.v1.GetConvergerStatusResponse;
import dev.corkboard.proto.v1.TaskDefinition;
import dev.corkboard.proto.v1.TaskServiceGrpc;
import dev.corkboard.testkit.FixtureExtension;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The BBS's ClusterService answering with what real converger daemons wrote to etcd. */
class ConvergerStatusServedByBbsTest {

    @RegisterExtension
    static final FixtureExtension<ConvergerFixture> etcd = new FixtureExtension<>(ConvergerFixture::new);

    private static final Duration WAIT = Duration.ofSeconds(30);

    private BbsServer bbs;
    private ManagedChannel channel;

    @BeforeEach
    void startBbs() throws Exception {
        bbs = BbsServer.start(BbsConfig.parse(new String[] {"--listen", "127.0.0.1:0", "--etcd-endpoints",
            String.join(",", etcd.endpoints()), "--etcd-prefix", etcd.fixture().storeSettings.prefix(),
            "--metrics-listen", "off"}, Map.of()));
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", bbs.port()).usePlaintext().build();
    }

    @AfterEach
    void stopBbs() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        bbs.close();
    }

    private GetConvergerStatusResponse status() {
        return ClusterServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .getConvergerStatus(GetConvergerStatusRequest.getDefaultInstance());
    }

    private ConvergerDaemon daemon(String id) throws Exception {
        return ConvergerDaemon.start(ConvergerConfig.parse(new String[] {"--converger-id", id, "--etcd-endpoints",
            String.join(",", etcd.endpoints()), "--etcd-prefix", etcd.fixture().storeSettings.prefix(),
            "--metrics-listen", "off", "--interval", "300ms", "--lease-ttl", "30s"}, Map.of()));
    }

    @Test
    void theLeadersLastPassAndTheCurrentLeaderAreServedAndFollowAResignation() throws Exception {
        TaskServiceGrpc.newBlockingStub(channel).desireTask(DesireTaskRequest.newBuilder().setGuid("served-1")
                .setDomain("d").setDefinition(TaskDefinition.newBuilder().setCommand(Command.newBuilder()
                        .setPath("/bin/true"))).build());
        try (ConvergerDaemon first = daemon("first")) {
            await().atMost(WAIT).until(() -> status().getStatus().getLeaderId().equals("first"));
            GetConvergerStatusResponse led = status();
            assertEquals("first", led.getCurrentLeaderId());
            assertEquals(1, led.getStatus().getTasks().getPending(), led.toString());
            assertTrue(led.getStatus().getElectedAtMs() > 0 && led.getStatus().getLastPassStartedAtMs()
                    >= led.getStatus().getElectedAtMs(), led.toString());
            assertEquals(first.converger().lastStatus().orElseThrow().getElectedAtMs(),
                    led.getStatus().getElectedAtMs());

            try (ConvergerDaemon second = daemon("second")) {
                assertEquals("first", status().getCurrentLeaderId(), "a newer candidate waits behind the leader");
                first.close();
                // the TTL is 30 s: the bound shows the resignation revoked the lease rather than letting it expire
                await().atMost(Duration.ofSeconds(15)).until(() -> status().getCurrentLeaderId().equals("second"));
                await().atMost(WAIT).until(() -> status().getStatus().getLeaderId().equals("second"));
                assertTrue(second.converger().isLeader());
            }
        }
        await().atMost(WAIT).until(() -> status().getCurrentLeaderId().isEmpty());
        assertEquals("second", status().getStatus().getLeaderId(), "the last status stays after every leader left");
    }
}
