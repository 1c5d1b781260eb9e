package dev.corkboard.bbs.callback;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.corkboard.testkit.EtcdExtension;
import dev.corkboard.testkit.EtcdMember;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Callbacks across an etcd outage: its own etcd, since these tests stop and restart it. */
class CompletionCallbacksEtcdRestartTest {

    @RegisterExtension
    static final EtcdExtension etcd = EtcdExtension.single();

    private static final Duration OUTAGE_RECOVERY = Duration.ofSeconds(30);
    private static final CallbackSettings SETTINGS =
            new CallbackSettings(2, 16, 3, Duration.ofSeconds(20), Duration.ofMillis(10));

    private CallbackFixture fixture;
    private CallbackReceiver receiver;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @BeforeEach
    void open() throws Exception {
        fixture = new CallbackFixture(etcd.endpoints(), Duration.ofSeconds(1));
        receiver = new CallbackReceiver();
    }

    @AfterEach
    void close() {
        receiver.close();
        fixture.close();
        etcdMember().start(); // for the next test, whatever this one left
    }

    private long restarts(String reason) {
        Counter counter = registry.find("corkboard.callbacks.follow.restarts").tag("reason", reason).counter();
        return counter == null ? 0 : (long) counter.count();
    }

    private static EtcdMember etcdMember() {
        return etcd.cluster().member(0);
    }

    @Test
    void startedWhileEtcdIsDownItListsOnceEtcdIsBackAndDelivers() {
        fixture.completeWithCallback("t1", receiver.url("t1"));
        etcdMember().stop();

        try (CompletionCallbacks callbacks = CompletionCallbacks.start(fixture.store, SETTINGS, registry)) {
            await().atMost(OUTAGE_RECOVERY).until(() -> restarts("failure") >= 1); // the first listing failed
            etcdMember().start();

            await().atMost(OUTAGE_RECOVERY).ignoreExceptions().until(() -> fixture.state("t1").isEmpty());
            assertEquals(1, receiver.receivedFor("t1").size());
        }
    }

    @Test
    void completionsAfterAnEtcdRestartAreDelivered() {
        try (CompletionCallbacks callbacks = CompletionCallbacks.start(fixture.store, SETTINGS, registry)) {
            fixture.completeWithCallback("before", receiver.url("before"));
            await().until(() -> fixture.state("before").isEmpty());

            etcdMember().restart();
            await().atMost(OUTAGE_RECOVERY).ignoreExceptions()
                    .until(() -> fixture.completeWithCallback("after", receiver.url("after")) != null);

            await().atMost(OUTAGE_RECOVERY).until(() -> fixture.state("after").isEmpty());
            assertEquals(1, receiver.receivedFor("after").size());
        }
    }
}
