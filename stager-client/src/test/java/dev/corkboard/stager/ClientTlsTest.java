package dev.corkboard.stager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corkboard.bbs.server.BbsConfig;
import dev.corkboard.bbs.server.BbsServer;
import dev.corkboard.proto.v1.TaskState;
import dev.corkboard.testkit.EtcdExtension;
import dev.corkboard.testkit.TestCertificates;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The client over TLS to a BBS that requires client certificates (mutual TLS), with openssl-made certificates. */
class ClientTlsTest {

    @RegisterExtension
    static final EtcdExtension etcd = EtcdExtension.single();

    @TempDir
    static Path dir;

    static TestCertificates pki;
    static Path ca;
    static BbsServer bbs;

    @BeforeAll
    static void start() throws Exception {
        pki = new TestCertificates(dir);
        ca = pki.ca("ca");
        Path server = pki.server("bbs", ca);
        pki.client("stager", ca);
        bbs = BbsServer.start(BbsConfig.parse(new String[] {"--listen=127.0.0.1:0",
            "--etcd-endpoints=" + String.join(",", etcd.endpoints()), "--etcd-prefix=/tls-" + UUID.randomUUID(),
            "--metrics-listen=off", "--tls-cert=" + server, "--tls-key=" + pki.keyOf("bbs"),
            "--tls-client-ca=" + ca}, Map.of()));
    }

    @AfterAll
    static void stop() {
        bbs.close();
    }

    private static BbsEndpoints endpoints() {
        return BbsEndpoints.parse("127.0.0.1:" + bbs.port());
    }

    @Test
    void aClientWithItsCertificateDesiresAndReadsTasks() {
        ClientTls tls = ClientTls.mutual(ca, dir.resolve("stager.pem"), pki.keyOf("stager"));
        try (StagerClient client = StagerClient.connect(endpoints(), Optional.of(tls), Duration.ofSeconds(10))) {
            client.desire("tls-1", "secure", StagerClientTest.echo("x"));

            assertEquals(TaskState.PENDING, client.get("tls-1").getState());
        }
    }

    @Test
    void aClientWithoutACertificateIsRefused() {
        try (StagerClient client = StagerClient.connect(endpoints(), Optional.of(ClientTls.trusting(ca)),
                Duration.ofSeconds(2))) {
            assertThrows(StatusRuntimeException.class, () -> client.get("tls-1"));
        }
    }

    @Test
    void aMissingCertificateFileIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StagerClient.connect(
                endpoints(), Optional.of(ClientTls.trusting(dir.resolve("nope.pem"))), Duration.ofSeconds(1)));

        assertTrue(e.getMessage().contains("nope.pem"), e.getMessage());
    }
}
