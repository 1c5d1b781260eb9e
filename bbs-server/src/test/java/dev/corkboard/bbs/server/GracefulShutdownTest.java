package dev.corkboard.bbs.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.ListenableFuture;
import dev.corkboard.proto.v1.ClaimTaskRequest;
import dev.corkboard.proto.v1.TaskResponse;
import dev.corkboard.proto.v1.TaskServiceGrpc;
import dev.corkboard.testkit.EtcdCluster;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Shutting a replica down lets the unary calls it has accepted finish, then closes everything. */
class GracefulShutdownTest {

    @Test
    void aUnaryCallInFlightGetsItsOwnAnswerWhileTheServerShutsDown() throws Exception {
        try (EtcdCluster cluster = EtcdCluster.single()) {
            BbsServer server = BbsServer.start(BbsConfig.parse(new String[] {"--listen", "127.0.0.1:0",
                "--etcd-endpoints", cluster.endpointsCsv(), "--metrics-listen", "off", "--request-timeout", "2s",
                "--shutdown-grace-period", "30s"}, Map.of()));
            ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext()
                    .build();
            try {
                TaskServiceGrpc.newBlockingStub(channel).desireTask(BbsFixture.desire("t1"));
                // with etcd gone the claim waits for the store's two-second deadline: it is in flight meanwhile
                cluster.member(0).kill();
                ListenableFuture<TaskResponse> claim = TaskServiceGrpc.newFutureStub(channel).claimTask(
                        ClaimTaskRequest.newBuilder().setGuid("t1").setExecutorId("cell-1").build());
                await().atMost(Duration.ofSeconds(10)).until(() -> server.registry().get(CallMetrics.ACTIVE).gauge()
                        .value() == 1);

                CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
                await().atMost(Duration.ofSeconds(10)).until(() -> !server.isServing());

                ExecutionException failed = assertThrows(ExecutionException.class,
                        () -> claim.get(30, TimeUnit.SECONDS));
                StatusRuntimeException status = assertInstanceOf(StatusRuntimeException.class, failed.getCause());
                assertEquals(Status.Code.UNAVAILABLE, status.getStatus().getCode());
                assertTrue(status.getStatus().getDescription().startsWith("task store unavailable"),
                        "the store's own answer, not a cancellation by the shutdown: " + status.getStatus());
                closing.get(30, TimeUnit.SECONDS);
                assertFalse(server.isServing());
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                server.close();
            }
        }
    }
}
