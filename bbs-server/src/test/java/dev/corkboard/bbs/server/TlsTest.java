package dev.corkboard.bbs.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.corkboard.proto.v1.TaskServiceGrpc;
import dev.corkboard.proto.v1.TaskState;
import dev.corkboard.testkit.EtcdExtension;
import dev.corkboard.testkit.TestCertificates;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** TLS and mutual TLS with certificates made by openssl for the test. */
class TlsTest {

    @RegisterExtension
    static final EtcdExtension etcd = EtcdExtension.single();

    @TempDir
    static Path dir;

    static Path ca;
    static Path serverCert;
    static Path clientCert;
    static Path strangerCert;
    static TestCertificates pki;

    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeAll
    static void makeCertificates() throws Exception {
        pki = new TestCertificates(dir);
        ca = pki.ca("ca");
        serverCert = pki.server("server", ca);
        clientCert = pki.client("stager-1", ca);
        Path otherCa = pki.ca("other-ca");
        strangerCert = pki.client("stranger", otherCa);
    }

    @AfterEach
    void close() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private BbsServer start(String... tls) throws Exception {
        List<String> args = new ArrayList<>(List.of("--listen", "127.0.0.1:0", "--etcd-endpoints",
                String.join(",", etcd.endpoints()), "--etcd-prefix", "/tls-" + UUID.randomUUID(),
                "--metrics-listen", "off", "--tls-cert", serverCert.toString(), "--tls-key",
                pki.keyOf("server").toString()));
        args.addAll(List.of(tls));
        BbsServer server = BbsServer.start(BbsConfig.parse(args.toArray(new String[0]), Map.of()));
        open.add(server);
        return server;
    }

    private TaskServiceGrpc.TaskServiceBlockingStub client(BbsServer server, ChannelCredentials credentials) {
        ManagedChannel channel = Grpc.newChannelBuilderForAddress("127.0.0.1", server.port(), credentials).build();
        open.add(() -> channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
        return TaskServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    private static ChannelCredentials trusting() throws Exception {
        return TlsChannelCredentials.newBuilder().trustManager(ca.toFile()).build();
    }

    private static ChannelCredentials presenting(Path cert, String name) throws Exception {
        return TlsChannelCredentials.newBuilder().trustManager(ca.toFile())
                .keyManager(cert.toFile(), pki.keyOf(name).toFile()).build();
    }

    @Test
    void aClientThatTrustsTheCaIsServedOverTls() throws Exception {
        BbsServer server = start();
        assertEquals(TaskState.PENDING, client(server, trusting()).desireTask(BbsFixture.desire("t1")).getTask()
                .getState());
    }

    @Test
    void aPlaintextClientIsNotServedByATlsServer() throws Exception {
        BbsServer server = start();
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> client(server, InsecureChannelCredentials.create()).desireTask(BbsFixture.desire("t1")));
        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
    }

    @Test
    void underMutualTlsAClientWithACertificateFromTheCaIsServed() throws Exception {
        BbsServer server = start("--tls-client-ca", ca.toString());
        assertEquals(TaskState.PENDING, client(server, presenting(clientCert, "stager-1"))
                .desireTask(BbsFixture.desire("t1")).getTask().getState());
    }

    @Test
    void underMutualTlsAClientWithoutACertificateIsRefused() throws Exception {
        BbsServer server = start("--tls-client-ca", ca.toString());
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> client(server, trusting()).desireTask(BbsFixture.desire("t1")));
        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
    }

    @Test
    void underMutualTlsAClientCertificateFromAnotherCaIsRefused() throws Exception {
        BbsServer server = start("--tls-client-ca", ca.toString());
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> client(server, presenting(strangerCert, "stranger")).desireTask(BbsFixture.desire("t1")));
        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
    }
}
