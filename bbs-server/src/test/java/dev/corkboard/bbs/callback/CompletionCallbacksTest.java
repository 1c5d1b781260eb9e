package dev.corkboard.bbs.callback;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskCallback;
import dev.corkboard.proto.v1.TaskState;
import dev.corkboard.testkit.EtcdExtension;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class CompletionCallbacksTest {

    @RegisterExtension
    static final EtcdExtension etcd = EtcdExtension.single();

    static final CallbackSettings SETTINGS =
            new CallbackSettings(4, 64, 3, Duration.ofSeconds(2), Duration.ofMillis(10));

    private CallbackFixture fixture;
    private CallbackReceiver receiver;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @BeforeEach
    void open() throws Exception {
        fixture = new CallbackFixture(etcd.endpoints());
        receiver = new CallbackReceiver();
    }

    @AfterEach
    void close() {
        receiver.close();
        fixture.close();
    }

    @Test
    void aCompletedTaskIsPostedAsJsonAndResolved() throws Exception {
        try (CompletionCallbacks callbacks = start()) {
            Task completed = fixture.complete("t1", Optional.of(receiver.url("t1")), "exit status 3", "partial");

            await().until(() -> fixture.state("t1").isEmpty());
            assertEquals(1, receiver.received().size());
            CallbackReceiver.Received request = receiver.received().get(0);
            assertEquals("POST", request.method());
            assertEquals("/callbacks/t1", request.path());
            assertEquals("application/json", request.contentType());
            TaskCallback.Builder body = TaskCallback.newBuilder();
            JsonFormat.parser().merge(request.body(), body);
            assertEquals(TaskCallback.newBuilder().setTaskGuid("t1").setFailed(true).setFailureReason("exit status 3")
                    .setResult("partial").setAnnotation(CallbackFixture.ANNOTATION)
                    .setCreatedAtMs(completed.getCreatedAtMs()).build(), body.build());
            assertTrue(request.body().contains("\"task_guid\":\"t1\""), request.body());
            await().until(() -> rounds(registry, "succeeded") == 1);
            assertEquals(1, rounds(registry, "attempted"));
            assertEquals(1, registry.find("corkboard.callbacks.latency").tag("outcome", "succeeded").timer().count());
        }
    }

    @Test
    void twoUnavailableAnswersAreRetriedAndTheThirdResolves() {
        receiver.answer(503, 503, 200);
        try (CompletionCallbacks callbacks = start()) {
            fixture.completeWithCallback("t1", receiver.url("t1"));

            await().until(() -> fixture.state("t1").isEmpty());
            assertEquals(3, receiver.received().size());
        }
    }

    @Test
    void threeUnavailableAnswersLeaveTheTaskResolvingAfterExactlyThreeRequests() {
        receiver.answer(503, 503, 503);
        try (CompletionCallbacks callbacks = start()) {
            fixture.completeWithCallback("t1", receiver.url("t1"));

            await().until(() -> rounds(registry, "failed") == 1);
            assertEquals(3, receiver.received().size());
            assertEquals(Optional.of(TaskState.RESOLVING), fixture.state("t1"));
        }
    }

    @Test
    void aBadRequestAnswerIsNotRetriedAndLeavesTheTaskResolving() {
        receiver.answer(400);
        try (CompletionCallbacks callbacks = start()) {
            fixture.completeWithCallback("t1", receiver.url("t1"));

            await().until(() -> rounds(registry, "failed") == 1);
            assertEquals(1, receiver.received().size());
            assertEquals(Optional.of(TaskState.RESOLVING), fixture.state("t1"));
        }
    }

    @Test
    void aRefusedConnectionIsRetriedThenTheTaskIsLeftResolving() throws Exception {
        String url;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            url = "http://127.0.0.1:" + socket.getLocalPort() + "/callbacks/t1"; // nobody listens once closed
        }
        try (CompletionCallbacks callbacks = start()) {
            fixture.completeWithCallback("t1", url);

            await().until(() -> rounds(registry, "failed") == 1);
            assertEquals(3, requests(registry, "error"));
            assertEquals(Optional.of(TaskState.RESOLVING), fixture.state("t1"));
        }
    }

    @Test
    void aReceiverTooSlowToAnswerTimesOutEachAttemptThenTheTaskIsLeftResolving() {
        receiver.hold();
        CallbackSettings impatient = new CallbackSettings(4, 64, 3, Duration.ofMillis(300), Duration.ofMillis(10));
        try (CompletionCallbacks callbacks = CompletionCallbacks.start(fixture.store, impatient, registry)) {
            fixture.completeWithCallback("t1", receiver.url("t1"));

            await().until(() -> rounds(registry, "failed") == 1);
            assertEquals(3, receiver.received().size());
            assertEquals(3, requests(registry, "error"));
            assertEquals(Optional.of(TaskState.RESOLVING), fixture.state("t1"));
        }
    }

    @Test
    void aTaskWithoutACallbackUrlIsLeftCompletedForItsStager() {
        try (CompletionCallbacks callbacks = start()) {
            fixture.complete("plain", Optional.empty(), "", "done");
            // completed after it: once this one is resolved, the watch has been past the first one
            fixture.completeWithCallback("marker", receiver.url("marker"));

            await().until(() -> fixture.state("marker").isEmpty());
            assertEquals(Optional.of(TaskState.COMPLETED), fixture.state("plain"));
            assertEquals(Set.of("marker"), receiver.guidsReceived());
        }
    }

    @Test
    void tasksCompletedWhileStoppedAreDeliveredOnceStarted() {
        for (int i = 1; i <= 3; i++) {
            fixture.completeWithCallback("early-" + i, receiver.url("early-" + i));
        }
        assertEquals(0, receiver.received().size());

        try (CompletionCallbacks callbacks = start()) {
            await().until(() -> fixture.state("early-1").isEmpty() && fixture.state("early-2").isEmpty()
                    && fixture.state("early-3").isEmpty());
            assertEquals(Set.of("early-1", "early-2", "early-3"), receiver.guidsReceived());
        }
    }

    @Test
    void aTaskDemotedFromResolvingIsDeliveredAgain() {
        receiver.answer(503, 503, 503);
        try (CompletionCallbacks callbacks = start()) {
            fixture.completeWithCallback("t1", receiver.url("t1"));
            await().until(() -> rounds(registry, "failed") == 1);
            assertEquals(Optional.of(TaskState.RESOLVING), fixture.state("t1"));

            fixture.demote("t1");

            await().until(() -> fixture.state("t1").isEmpty());
            assertEquals(4, receiver.received().size());
        }
    }

    @Test
    void aDemotionDuringDeliveryFailsItsResolveAndTheTaskIsDeliveredAgain() {
        receiver.hold();
        try (CompletionCallbacks callbacks = start()) {
            fixture.completeWithCallback("t1", receiver.url("t1"));
            await().until(() -> receiver.received().size() == 1); // taken: Resolving, its POST waits for an answer

            fixture.demote("t1"); // the converger judged it stale meanwhile
            receiver.release(); // 200, but the task is no longer Resolving: the resolve is refused

            await().until(() -> fixture.state("t1").isEmpty());
            assertEquals(2, receiver.receivedFor("t1").size(), "at least once: here twice");
            assertEquals(1, rounds(registry, "unresolved"));
            assertEquals(1, rounds(registry, "succeeded"));
        }
    }

    @Test
    void aTaskDroppedFromAFullQueueIsDeliveredWhenTheConvergerReNotifiesIt() {
        receiver.hold();
        CallbackSettings tight = new CallbackSettings(1, 1, 3, Duration.ofSeconds(5), Duration.ofMillis(10));
        try (CompletionCallbacks callbacks = CompletionCallbacks.start(fixture.store, tight, registry)) {
            fixture.completeWithCallback("in-flight", receiver.url("in-flight"));
            await().until(() -> receiver.received().size() == 1); // the only worker is busy with it
            fixture.completeWithCallback("queued", receiver.url("queued"));
            await().until(() -> gauge(registry, "corkboard.callbacks.queue.depth") == 1);
            fixture.completeWithCallback("dropped", receiver.url("dropped"));
            await().until(() -> counter(registry, "corkboard.callbacks.dropped") == 1);

            receiver.release();
            await().until(() -> fixture.state("in-flight").isEmpty() && fixture.state("queued").isEmpty());
            assertEquals(Optional.of(TaskState.COMPLETED), fixture.state("dropped"));

            fixture.renotify("dropped");

            await().until(() -> fixture.state("dropped").isEmpty());
            assertEquals(1, receiver.receivedFor("dropped").size());
        }
    }

    @Test
    void twoReplicasDeliverAndResolveEveryOneOfFiftyTasks() {
        SimpleMeterRegistry otherRegistry = new SimpleMeterRegistry();
        try (CompletionCallbacks first = start();
                CompletionCallbacks second = CompletionCallbacks.start(fixture.anotherReplica(), SETTINGS,
                        otherRegistry)) {
            List<String> guids = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                String guid = "task-" + i;
                guids.add(guid);
                fixture.completeWithCallback(guid, receiver.url(guid));
            }

            await().atMost(Duration.ofSeconds(30))
                    .until(() -> guids.stream().allMatch(guid -> fixture.state(guid).isEmpty()));
            assertEquals(new TreeSet<>(guids), receiver.guidsReceived());
            // the Resolving compare-and-swap lets one replica take each task, so each is resolved exactly once
            assertEquals(50, rounds(registry, "succeeded") + rounds(otherRegistry, "succeeded"));
        }
    }

    private CompletionCallbacks start() {
        return CompletionCallbacks.start(fixture.store, SETTINGS, registry);
    }

    static long rounds(MeterRegistry registry, String outcome) {
        Counter counter = registry.find("corkboard.callbacks").tag("outcome", outcome).counter();
        return counter == null ? 0 : (long) counter.count();
    }

    static long requests(MeterRegistry registry, String status) {
        Counter counter = registry.find("corkboard.callbacks.requests").tag("status", status).counter();
        return counter == null ? 0 : (long) counter.count();
    }

    static long counter(MeterRegistry registry, String name) {
        Counter counter = registry.find(name).counter();
        return counter == null ? 0 : (long) counter.count();
    }

    static double gauge(MeterRegistry registry, String name) {
        Gauge gauge = registry.find(name).gauge();
        return gauge == null ? -1 : gauge.value();
    }
}
