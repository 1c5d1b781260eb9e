package dev.corkboard.bbs.store;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corkboard.bbs.state.TaskRequest;
import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskEvent;
import dev.corkboard.testkit.FixtureExtension;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class TaskWatchTest {

    @RegisterExtension
    static final FixtureExtension<StoreFixture> store = new FixtureExtension<>(StoreFixture::new);

    private StoreFixture fixture;

    @BeforeEach
    void open() {
        fixture = store.fixture();
    }

    @Test
    void aLifecycleArrivesInOrderWithBeforeAndAfter() {
        RecordingSink sink = new RecordingSink();
        try (TaskWatch watch = startedWatch(0, sink)) {
            runLifecycle("t1");

            await().untilAsserted(() -> assertEquals(List.of("created t1 PENDING", "changed t1 PENDING->CLAIMED",
                    "changed t1 CLAIMED->RUNNING", "changed t1 RUNNING->COMPLETED",
                    "changed t1 COMPLETED->RESOLVING", "removed t1"), sink.summary()));
            assertStrictlyIncreasingRevisions(sink.events);
            assertEquals(sink.events.get(sink.events.size() - 1).getRevision(), watch.lastRevision());
        }
    }

    @Test
    void aWatchFromNowSeesAWriteMadeTheMomentItReturns() {
        RecordingSink sink = new RecordingSink();
        try (TaskWatch watch = fixture.store.watch(0, sink, 100)) {
            fixture.desire("t1");

            await().untilAsserted(() -> assertEquals(List.of("created t1 PENDING"), sink.summary()));
        }
    }

    @Test
    void aRemovalCarriesTheRecordAsItWasRemoved() {
        RecordingSink sink = new RecordingSink();
        try (TaskWatch watch = startedWatch(0, sink)) {
            runLifecycle("t1");

            await().until(() -> sink.events.size() == 6);
            Task removed = sink.events.get(5).getRemoved().getTask();
            assertEquals("RESOLVING", removed.getState().name());
            assertEquals("cell-1", removed.getExecutorId());
        }
    }

    @Test
    void aWatchStartedAfterARevisionDeliversOnlyLaterChanges() {
        fixture.desire("t1");
        long after = StoreFixture.join(fixture.store.revision());
        fixture.apply(new TaskRequest.Claim("t1", "cell-1"));
        fixture.desire("t2");

        RecordingSink sink = new RecordingSink();
        try (TaskWatch watch = fixture.store.watch(after, sink, 100)) {
            await().untilAsserted(() -> assertEquals(List.of("changed t1 PENDING->CLAIMED", "created t2 PENDING"),
                    sink.summary()));
        }
    }

    @Test
    void startingAfterACompactedRevisionEndsWithResyncRequired() {
        fixture.desire("t1");
        long old = StoreFixture.join(fixture.store.revision());
        fixture.apply(new TaskRequest.Claim("t1", "cell-1"));
        long now = StoreFixture.join(fixture.store.revision());
        fixture.client.getKVClient().compact(now).join();

        RecordingSink sink = new RecordingSink();
        fixture.store.watch(old, sink, 100);

        await().until(() -> sink.closed.get() != null);
        ResyncRequiredException resync = assertInstanceOf(ResyncRequiredException.class, sink.closed.get().get());
        assertEquals(old, resync.requestedRevision());
        assertEquals(List.of(), sink.events);
    }

    @Test
    void aConsumerThatFallsAFullBufferBehindIsCutOff() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        RecordingSink recorded = new RecordingSink();
        TaskEventSink stuck = new TaskEventSink() {
            @Override
            public void onEvent(TaskEvent event) {
                recorded.onEvent(event);
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }

            @Override
            public void onClosed(Optional<Throwable> cause) {
                recorded.onClosed(cause);
            }
        };
        TaskWatch watch = startedWatch(0, stuck, 4);
        long seeded = watch.lastRevision();
        for (int i = 0; i < 12; i++) {
            fixture.desire("t" + i);
        }

        await().until(() -> recorded.closed.get() != null);
        release.countDown();
        assertInstanceOf(SlowConsumerException.class, recorded.closed.get().get());
        long handled = recorded.events.isEmpty() ? seeded
                : recorded.events.get(recorded.events.size() - 1).getRevision();
        assertEquals(handled, watch.lastRevision(), "a cut-off consumer resumes after what it handled, not buffered");
        assertEquals(1, fixture.counter("corkboard.store.watch.cutoffs"));
        assertTrue(recorded.events.size() < 12, "the cut-off consumer was not handed everything");
    }

    @Test
    void closingTheWatchEndsItWithoutACause() {
        RecordingSink sink = new RecordingSink();
        TaskWatch watch = startedWatch(0, sink);

        watch.close();

        await().until(() -> sink.closed.get() != null);
        assertEquals(Optional.empty(), sink.closed.get());
        fixture.desire("after-close");
        assertEquals(List.of(), sink.events);
    }

    @Test
    void anUnparseableRecordIsSkippedAndCountedWhileOthersFlow() {
        RecordingSink sink = new RecordingSink();
        try (TaskWatch watch = startedWatch(0, sink)) {
            fixture.putRaw("junk", new byte[] {(byte) 0xff, 0x00});
            fixture.desire("t1");

            await().untilAsserted(() -> assertEquals(List.of("created t1 PENDING"), sink.summary()));
            assertEquals(1, fixture.counter("corkboard.store.records.unparseable"));
        }
    }

    private TaskWatch startedWatch(long after, TaskEventSink sink) {
        return startedWatch(after, sink, 1000);
    }

    /** Starts a watch and waits until it has seeded, so that later writes are certain to be after its start. */
    private TaskWatch startedWatch(long after, TaskEventSink sink, int capacity) {
        long before = StoreFixture.join(fixture.store.revision());
        TaskWatch watch = fixture.store.watch(after, sink, capacity);
        await().atMost(Duration.ofSeconds(10)).until(() -> watch.lastRevision() >= before);
        return watch;
    }

    private void runLifecycle(String guid) {
        fixture.desire(guid);
        fixture.apply(new TaskRequest.Claim(guid, "cell-1"));
        fixture.apply(new TaskRequest.Start(guid, "cell-1", "c"));
        fixture.apply(new TaskRequest.Complete(guid, "cell-1", false, "", "ok"));
        fixture.apply(new TaskRequest.Resolving(guid));
        fixture.apply(new TaskRequest.Resolve(guid));
    }

    static void assertStrictlyIncreasingRevisions(List<TaskEvent> events) {
        for (int i = 1; i < events.size(); i++) {
            assertTrue(events.get(i).getRevision() > events.get(i - 1).getRevision(),
                    "revisions must increase: " + events);
        }
    }
}
