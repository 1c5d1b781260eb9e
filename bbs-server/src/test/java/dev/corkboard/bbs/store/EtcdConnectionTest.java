package dev.corkboard.bbs.store;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.corkboard.bbs.state.TaskLifecycle;
import dev.corkboard.bbs.state.TaskRequest;
import dev.corkboard.proto.v1.TaskState;
import dev.corkboard.testkit.EtcdExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Either transport carries the store's transactions and watches. */
class EtcdConnectionTest {

    @RegisterExtension
    static final EtcdExtension etcd = EtcdExtension.single();

    @ParameterizedTest
    @EnumSource(EtcdTransport.class)
    void aStoreOverEitherTransportWritesAndWatches(EtcdTransport transport) {
        List<URI> endpoints = etcd.endpoints().stream().map(URI::create).toList();
        try (EtcdConnection connection = EtcdConnection.open(endpoints, "test-etcd", transport)) {
            EtcdTaskStore store = new EtcdTaskStore(connection.client(), new TaskLifecycle(), Clock.systemUTC(),
                    StoreFixture.settings(), new SimpleMeterRegistry());
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
}
