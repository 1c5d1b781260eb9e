package dev.corkboard.bbs.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corkboard.proto.v1.TaskServiceGrpc;
import dev.corkboard.proto.v1.TaskState;
import dev.corkboard.testkit.EtcdCluster;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The distribution: the shaded jar started as its own process, as deploy/bin/bbs-server starts it. */
class BbsServerProcessIT {

    private static final Duration START = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void theShadedJarServesReportsHealthAndMetricsAndStopsCleanlyOnSigterm() throws Exception {
        Path jar = Path.of(System.getProperty("corkboard.bbs.jar", "target/missing.jar"));
        assertTrue(Files.isRegularFile(jar), "the shaded jar is built before integration tests: " + jar);
        int grpcPort = freePort();
        int metricsPort = freePort();
        Path log = dir.resolve("bbs.log");
        try (EtcdCluster etcd = EtcdCluster.single()) {
            ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
                    .toString(), "-jar", jar.toString(), "--listen", "127.0.0.1:" + grpcPort,
                    "--etcd-prefix", "/process-it")
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            builder.environment().put("CORKBOARD_ETCD_ENDPOINTS", etcd.endpointsCsv());
            builder.environment().put("CORKBOARD_METRICS_LISTEN", "127.0.0.1:" + metricsPort);
            builder.environment().put("CORKBOARD_LOG_LEVEL", "DEBUG");
            Process process = builder.start();
            ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build();
            try {
                var health = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
                await().atMost(START).ignoreExceptions().until(() -> health.check(HealthCheckRequest.newBuilder()
                        .setService(BbsServer.SERVICE_NAME).build()).getStatus() == ServingStatus.SERVING);

                var tasks = TaskServiceGrpc.newBlockingStub(channel);
                assertEquals(TaskState.PENDING, tasks.desireTask(BbsFixture.desire("it-1")).getTask().getState());
                assertTrue(services(channel).contains("corkboard.v1.TaskService"), "reflection lists the service");
                String metrics = get(metricsPort, "/metrics");
                assertTrue(metrics.contains("corkboard_grpc_server_calls_seconds_count{code=\"OK\","
                        + "method=\"corkboard.v1.TaskService/DesireTask\"} 1"), metrics);
                assertEquals("ok\n", get(metricsPort, "/healthz"));
                await().atMost(START).until(() -> Pattern.compile("\"task_guid\"\\s*:\\s*\"it-1\"")
                        .matcher(Files.readString(log)).find());
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                process.destroy(); // SIGTERM
                assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the server exits after SIGTERM");
            }
            assertEquals(143, process.exitValue(), "exited by SIGTERM after the shutdown hook ran");
            String output = Files.readString(log);
            assertTrue(output.contains("\"formattedMessage\":\"BBS stopped\""), output);
            assertTrue(output.lines().filter(line -> !line.isBlank()).allMatch(line -> line.startsWith("{")),
                    "every log line is a JSON object:\n" + output);
        }
    }

    @Test
    void theLauncherRefusesABadSettingNamingItAndExitsWithStatusTwo() throws Exception {
        Path jar = Path.of(System.getProperty("corkboard.bbs.jar", "target/missing.jar"));
        ProcessBuilder builder = new ProcessBuilder(Path.of("..", "deploy", "bin", "bbs-server").toString(),
                "--listen", "abc").redirectErrorStream(true);
        builder.environment().put("CORKBOARD_BBS_JAR", jar.toString());
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, process.exitValue(), output);
        assertTrue(output.contains("--listen: expected host:port, got 'abc'"), output);
    }

    private static List<String> services(ManagedChannel channel) throws Exception {
        CompletableFuture<List<String>> names = new CompletableFuture<>();
        StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(channel)
                .serverReflectionInfo(new StreamObserver<>() {
                    @Override
                    public void onNext(ServerReflectionResponse response) {
                        names.complete(response.getListServicesResponse().getServiceList().stream()
                                .map(ServiceResponse::getName).toList());
                    }

                    @Override
                    public void onError(Throwable failure) {
                        names.completeExceptionally(failure);
                    }

                    @Override
                    public void onCompleted() {
                        names.complete(List.of());
                    }
                });
        requests.onNext(ServerReflectionRequest.newBuilder().setListServices("*").build());
        requests.onCompleted();
        return names.get(30, TimeUnit.SECONDS);
    }

    private static String get(int port, String path) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + path)).build(), HttpResponse.BodyHandlers.ofString());
        return response.body();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
