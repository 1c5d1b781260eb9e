package dev.corkboard.bbs.store;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corkboard.bbs.state.TaskException;
import dev.corkboard.bbs.state.TaskLifecycle;
import dev.corkboard.bbs.state.TaskRequest;
import dev.corkboard.proto.v1.TaskState;
import dev.corkboard.testkit.TestCertificates;
import dev.corkboard.testkit.TlsEtcd;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The store over an etcd that requires mutual TLS, on either transport. */
class EtcdTlsTest {

    @TempDir
    static Path dir;

    private static TlsEtcd etcd;

    @BeforeAll
    static void startEtcd() throws Exception {
        etcd = TlsEtcd.start(Files.createDirectories(dir.resolve("pki")));
    }

    @AfterAll
    static void stopEtcd() {
        if (etcd != null) {
            etcd.close();
        }
    }

    @ParameterizedTest
    @EnumSource(EtcdTransport.class)
    void aStoreWithTheCaAndAClientCertificateWritesReadsAndWatches(EtcdTransport transport) {
        EtcdSecurity security = new EtcdSecurity(Optional.of(new EtcdSecurity.Tls(etcd.ca(),
                Optional.of(new EtcdSecurity.ClientCertificate(etcd.clientCert(), etcd.clientKey())))),
                Optional.empty());
        try (EtcdConnection connection = EtcdConnection.open(endpoints(), "tls-etcd", transport, security)) {
            EtcdTaskStore store = store(connection, StoreFixture.settings());
            RecordingSink sink = new RecordingSink();
            try (TaskWatch watch = store.watch(0, sink, 10)) {
                StoreFixture.join(store.apply(new TaskRequest.Desire("t1", "d", StoreFixture.definition())));
                StoreFixture.join(store.apply(new TaskRequest.Claim("t1", "cell-1")));

                assertEquals(TaskState.CLAIMED, StoreFixture.join(store.get("t1")).getState());
                await().untilAsserted(() -> assertEquals(
                        List.of("created t1 PENDING", "changed t1 PENDING->CLAIMED"), sink.summary()));
            }
        }
    }

    @Test
    void aClientThatDoesNotTrustEtcdsCaNeverReachesIt() throws Exception {
        Path otherCa = new TestCertificates(Files.createDirectories(dir.resolve("other"))).ca("other-ca");
        EtcdSecurity security = new EtcdSecurity(Optional.of(new EtcdSecurity.Tls(otherCa,
                Optional.of(new EtcdSecurity.ClientCertificate(etcd.clientCert(), etcd.clientKey())))),
                Optional.empty());
        try (EtcdConnection connection = EtcdConnection.open(endpoints(), "untrusting-etcd", EtcdTransport.GRPC,
                security)) {
            EtcdTaskStore store = store(connection,
                    StoreFixture.settings().withRequestTimeout(Duration.ofSeconds(1)));

            // jetcd waits for a ready channel, which a refused handshake never gives: the call runs out of time
            TaskException failure = assertThrows(TaskException.class, () -> StoreFixture.join(store.get("t1")));

            assertTrue(failure.getMessage().contains("task store unavailable"), failure.getMessage());
        }
    }

    @Test
    void aCertificateThatIsNotPemIsRefusedAtOpenNamingTheFile() throws Exception {
        Path garbage = Files.writeString(dir.resolve("garbage.pem"), "not a certificate");
        EtcdSecurity security = new EtcdSecurity(Optional.of(new EtcdSecurity.Tls(garbage, Optional.empty())),
                Optional.empty());

        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> EtcdConnection.open(endpoints(), "bad-etcd", EtcdTransport.GRPC, security).close());

        assertTrue(refused.getMessage().contains(garbage.toString()), refused.getMessage());
    }

    private static List<URI> endpoints() {
        return List.of(URI.create(etcd.endpoint()));
    }

    private static EtcdTaskStore store(EtcdConnection connection, StoreSettings settings) {
        return new EtcdTaskStore(connection.client(), new TaskLifecycle(), Clock.systemUTC(), settings,
                new SimpleMeterRegistry());
    }

}
