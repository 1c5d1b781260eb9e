package dev.corkboard.executor.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The agent's Prometheus endpoint and gRPC health service. */
class AgentObservabilityTest {

    @RegisterExtension
    static final LiveCluster live = LiveCluster.withBbsReplicas(1);

    private Path dir;

    private AgentCluster cluster;

    @BeforeEach
    void start() {
        cluster = live.cluster();
        dir = live.dir();
    }


    @Test
    void metricsCountTheTasksAnAgentRanAndHealthSaysServing() throws Exception {
        ExecutorAgent agent = cluster.startAgent("cell-1", "--metrics-listen=127.0.0.1:0");
        cluster.desire("m-1", AgentCluster.shell("true"));
        cluster.desire("m-2", AgentCluster.shell("exit 7"));
        cluster.awaitCompleted("m-1", Duration.ofSeconds(20));
        cluster.awaitCompleted("m-2", Duration.ofSeconds(20));

        // the agent counts a result once the BBS has answered, a moment after the task shows completed
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + agent.metricsPort().orElseThrow() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            String body = metrics.body();
            assertEquals(200, metrics.statusCode());
            assertTrue(body.contains("corkboard_executor_tasks_ended_total{ending=\"succeeded\"} 1.0"), body);
            assertTrue(body.contains("corkboard_executor_tasks_ended_total{ending=\"exit_status\"} 1.0"), body);
            assertTrue(body.contains("corkboard_executor_results_delivered_total 2.0"), body);
            assertTrue(body.contains("corkboard_executor_claim_to_start_seconds_count 2"), body);
        });
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", agent.port()).usePlaintext().build();
        try {
            HealthCheckResponse health = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.getDefaultInstance());
            assertEquals(HealthCheckResponse.ServingStatus.SERVING, health.getStatus());
        } finally {
            channel.shutdownNow();
        }
    }
}
