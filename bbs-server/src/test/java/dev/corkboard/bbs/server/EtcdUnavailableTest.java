package dev.corkboard.bbs.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.corkboard.proto.v1.ClaimTaskRequest;
import dev.corkboard.proto.v1.GetTaskRequest;
import dev.corkboard.proto.v1.TaskServiceGrpc;
import dev.corkboard.proto.v1.TaskState;
import dev.corkboard.testkit.EtcdCluster;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** With etcd gone, calls end within a deadline instead of hanging, and health tells load balancers. */
class EtcdUnavailableTest {

    private static BbsConfig config(EtcdCluster cluster) {
        return BbsConfig.parse(new String[] {"--listen", "127.0.0.1:0", "--etcd-endpoints", cluster.endpointsCsv(),
            "--metrics-listen", "off", "--request-timeout", "1s"}, Map.of());
    }

    @Test
    void callsAreUnavailableWithinTheRequestTimeoutWhileEtcdIsDownAndSucceedOnceItIsBack() throws Exception {
        try (EtcdCluster cluster = EtcdCluster.single(); BbsServer server = BbsServer.start(config(cluster))) {
            ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext()
                    .build();
            try {
                var tasks = TaskServiceGrpc.newBlockingStub(channel);
                tasks.desireTask(BbsFixture.desire("t1"));

                cluster.member(0).kill();
                // generous bound: it proves the call does not hang; the store's deadline itself is one second
                StatusRuntimeException e = assertTimeoutPreemptively(Duration.ofSeconds(15), () -> assertThrows(
                        StatusRuntimeException.class, () -> tasks.claimTask(claim())));
                assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.getStatus().toString());

                cluster.member(0).start();
                await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> assertEquals(
                        TaskState.CLAIMED, tasks.claimTask(claim()).getTask().getState()));
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void aCallerDeadlineShorterThanTheStoresIsHonoured() throws Exception {
        try (EtcdCluster cluster = EtcdCluster.single(); BbsServer server = BbsServer.start(config(cluster))) {
            ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext()
                    .build();
            try {
                cluster.member(0).kill();
                var tasks = TaskServiceGrpc.newBlockingStub(channel).withDeadlineAfter(200, TimeUnit.MILLISECONDS);
                StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                        () -> tasks.getTask(GetTaskRequest.newBuilder().setGuid("t1").build()));
                assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void healthSaysNotServingUntilEtcdHasAnsweredThenServing() throws Exception {
        try (EtcdCluster cluster = EtcdCluster.single()) {
            cluster.member(0).stop();
            try (BbsServer server = BbsServer.start(config(cluster))) {
                ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext()
                        .build();
                try {
                    var health = HealthGrpc.newBlockingStub(channel);
                    for (String service : List.of("", BbsServer.SERVICE_NAME)) {
                        assertEquals(ServingStatus.NOT_SERVING, health.check(HealthCheckRequest.newBuilder()
                                .setService(service).build()).getStatus());
                    }

                    cluster.member(0).start();

                    await().atMost(Duration.ofSeconds(30)).until(() -> health.check(HealthCheckRequest.newBuilder()
                            .setService(BbsServer.SERVICE_NAME).build()).getStatus() == ServingStatus.SERVING);
                } finally {
                    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                }
            }
        }
    }

    private static ClaimTaskRequest claim() {
        return ClaimTaskRequest.newBuilder().setGuid("t1").setExecutorId("cell-1").build();
    }
}
