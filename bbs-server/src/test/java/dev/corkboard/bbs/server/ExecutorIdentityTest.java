package dev.corkboard.bbs.server;

import static dev.corkboard.bbs.server.ExecutorCalls.claimNext;
import static dev.corkboard.bbs.server.ExecutorCalls.heartbeat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corkboard.proto.v1.ClaimTaskRequest;
import dev.corkboard.proto.v1.CompleteTaskRequest;
import dev.corkboard.proto.v1.ExecutorServiceGrpc;
import dev.corkboard.proto.v1.ExecutorServiceGrpc.ExecutorServiceBlockingStub;
import dev.corkboard.proto.v1.GetTaskRequest;
import dev.corkboard.proto.v1.StartTaskRequest;
import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskServiceGrpc;
import dev.corkboard.proto.v1.TaskServiceGrpc.TaskServiceBlockingStub;
import dev.corkboard.proto.v1.TaskState;
import dev.corkboard.proto.v1.WatchExecutorTasksRequest;
import dev.corkboard.testkit.EtcdExtension;
import dev.corkboard.testkit.TestCertificates;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Under mutual TLS an executor is the CN of its client certificate and can act only as itself. */
class ExecutorIdentityTest {

    @RegisterExtension
    static final EtcdExtension etcd = EtcdExtension.single();

    @TempDir
    static Path dir;

    static TestCertificates pki;
    static Path ca;
    static Path serverCert;

    BbsServer server;
    ManagedChannel asCell1;
    ManagedChannel asCell2;
    ManagedChannel asStager;

    @BeforeAll
    static void makeCertificates() throws Exception {
        pki = new TestCertificates(dir);
        ca = pki.ca("ca");
        serverCert = pki.server("server", ca);
        for (String client : List.of("cell-1", "cell-2", "stager-1")) {
            pki.client(client, ca);
        }
    }

    /** A replica under a prefix of its own for each test, so tests never see each other's tasks. */
    @BeforeEach
    void start() throws Exception {
        server = BbsServer.start(BbsConfig.parse(new String[] {"--listen", "127.0.0.1:0", "--etcd-endpoints",
            String.join(",", etcd.endpoints()), "--etcd-prefix", "/identity-" + UUID.randomUUID(),
            "--metrics-listen", "off", "--tls-cert", serverCert.toString(), "--tls-key",
            pki.keyOf("server").toString(), "--tls-client-ca", ca.toString()}, Map.of()));
        asCell1 = channel("cell-1");
        asCell2 = channel("cell-2");
        asStager = channel("stager-1");
    }

    private ManagedChannel channel(String name) throws Exception {
        Path cert = dir.resolve(name + ".pem");
        return Grpc.newChannelBuilderForAddress("127.0.0.1", server.port(), TlsChannelCredentials.newBuilder()
                .trustManager(ca.toFile()).keyManager(cert.toFile(), pki.keyOf(name).toFile()).build()).build();
    }

    @AfterEach
    void stop() throws Exception {
        for (ManagedChannel channel : List.of(asCell1, asCell2, asStager)) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        server.close();
    }

    private static TaskServiceBlockingStub tasks(ManagedChannel channel) {
        return TaskServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    private static ExecutorServiceBlockingStub executors(ManagedChannel channel) {
        return ExecutorServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    private static void assertDenied(String claimed, String identity, Supplier<?> call) {
        StatusRuntimeException e = BbsFixture.refusal(call);
        assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode(), e.getStatus().toString());
        String description = e.getStatus().getDescription();
        assertTrue(description.contains(claimed) && description.contains(identity), description);
    }

    @Test
    void anExecutorClaimsNextAsItselfButNotAsAnother() {
        tasks(asStager).desireTask(BbsFixture.desire("next-1"));

        assertDenied("cell-2", "cell-1", () -> executors(asCell1).claimNext(claimNext("cell-2", 2_000).build()));
        assertDenied("cell-2", "cell-1", () -> executors(asCell1).heartbeat(heartbeat("cell-2", 0)));
        assertDenied("cell-2", "cell-1", () -> executors(asCell1).watchExecutorTasks(
                WatchExecutorTasksRequest.newBuilder().setExecutorId("cell-2").build()).hasNext());
        Task claimed = executors(asCell1).claimNext(claimNext("cell-1", 10_000).build()).getTask();

        assertEquals("next-1", claimed.getGuid());
        assertEquals("cell-1", claimed.getExecutorId());
    }

    @Test
    void anExecutorCannotClaimOrCompleteATaskAsAnother() {
        tasks(asStager).desireTask(BbsFixture.desire("t1"));
        tasks(asStager).desireTask(BbsFixture.desire("t2"));
        tasks(asCell2).claimTask(ClaimTaskRequest.newBuilder().setGuid("t2").setExecutorId("cell-2").build());
        tasks(asCell2).startTask(StartTaskRequest.newBuilder().setGuid("t2").setExecutorId("cell-2")
                .setContainerHandle("c-2").build());

        assertDenied("cell-2", "cell-1", () -> tasks(asCell1).claimTask(ClaimTaskRequest.newBuilder()
                .setGuid("t1").setExecutorId("cell-2").build()));
        assertDenied("cell-2", "cell-1", () -> tasks(asCell1).completeTask(CompleteTaskRequest.newBuilder()
                .setGuid("t2").setExecutorId("cell-2").setFailed(true).setFailureReason("forged").build()));
        assertDenied("cell-1", "stager-1", () -> tasks(asStager).claimTask(ClaimTaskRequest.newBuilder()
                .setGuid("t1").setExecutorId("cell-1").build()));

        assertEquals(TaskState.PENDING, state("t1"));
        assertEquals(TaskState.RUNNING, state("t2"));
    }

    private TaskState state(String guid) {
        return tasks(asStager).getTask(GetTaskRequest.newBuilder().setGuid(guid).build()).getTask().getState();
    }
}
