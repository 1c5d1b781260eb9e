package dev.corkboard.bbs.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corkboard.bbs.state.TaskException;
import dev.corkboard.bbs.state.TaskLifecycle;
import dev.corkboard.bbs.state.TaskRequest;
import dev.corkboard.proto.v1.TaskState;
import dev.corkboard.testkit.EtcdExtension;
import io.etcd.jetcd.Auth;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The store against an etcd with authentication on: the user and password file get in, nothing else does. */
class EtcdAuthTest {

    @RegisterExtension
    static final EtcdExtension etcd = EtcdExtension.single();

    @TempDir
    static Path dir;

    @BeforeAll
    static void enableAuthentication() {
        try (Client admin = Client.builder().endpoints(etcd.endpoints().toArray(new String[0])).build()) {
            Auth auth = admin.getAuthClient();
            ByteSequence root = bytes("root");
            auth.userAdd(root, bytes("root-password")).join();
            auth.roleAdd(root).join();
            auth.userGrantRole(root, root).join();
            auth.authEnable().join();
        }
    }

    @Test
    void theUserWithItsPasswordFileWritesAndReads() throws Exception {
        Path password = Files.writeString(dir.resolve("password"), "root-password\n");
        EtcdSecurity security = new EtcdSecurity(Optional.empty(),
                Optional.of(new EtcdSecurity.Auth("root", password)));
        try (EtcdConnection connection = EtcdConnection.open(endpoints(), "auth-etcd", EtcdTransport.GRPC,
                security)) {
            EtcdTaskStore store = store(connection);

            StoreFixture.join(store.apply(new TaskRequest.Desire("t1", "d", StoreFixture.definition())));

            assertEquals(TaskState.PENDING, StoreFixture.join(store.get("t1")).getState());
        }
    }

    @Test
    void withoutCredentialsTheStoreIsRefused() {
        try (EtcdConnection connection = EtcdConnection.open(endpoints(), "anonymous-etcd", EtcdTransport.GRPC)) {
            EtcdTaskStore store = store(connection);

            TaskException refused = assertThrows(TaskException.class, () -> StoreFixture.join(store.get("t1")));

            assertTrue(refused.getMessage().contains("user name is empty"), refused.getMessage());
        }
    }

    @Test
    void anUnreadablePasswordFileIsRefusedAtOpenNamingIt() {
        Path missing = dir.resolve("missing-password");
        EtcdSecurity security = new EtcdSecurity(Optional.empty(),
                Optional.of(new EtcdSecurity.Auth("root", missing)));

        RuntimeException refused = assertThrows(RuntimeException.class,
                () -> EtcdConnection.open(endpoints(), "auth-etcd", EtcdTransport.GRPC, security).close());

        assertTrue(refused.getMessage().contains(missing.toString()), refused.getMessage());
    }

    private static List<URI> endpoints() {
        return etcd.endpoints().stream().map(URI::create).toList();
    }

    private static EtcdTaskStore store(EtcdConnection connection) {
        return new EtcdTaskStore(connection.client(), new TaskLifecycle(), Clock.systemUTC(),
                StoreFixture.settings().withRequestTimeout(Duration.ofSeconds(5)), new SimpleMeterRegistry());
    }

    private static ByteSequence bytes(String text) {
        return ByteSequence.from(text, StandardCharsets.UTF_8);
    }
}
