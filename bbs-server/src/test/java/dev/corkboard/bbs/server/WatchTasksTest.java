package dev.corkboard.bbs.server;

import static dev.corkboard.bbs.server.TaskServiceCallsTest.claim;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corkboard.proto.v1.CancelTaskRequest;
import dev.corkboard.proto.v1.ListTasksRequest;
import dev.corkboard.proto.v1.ResolveTaskRequest;
import dev.corkboard.proto.v1.ResolvingTaskRequest;
import dev.corkboard.proto.v1.TaskDefinition;
import dev.corkboard.proto.v1.TaskEvent;
import dev.corkboard.proto.v1.TaskState;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** WatchTasks: order, resumption, resync, cancellation, slow readers and the subscriber limit. */
class WatchTasksTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @RegisterExtension
    static final BbsExtension bbs = new BbsExtension();

    private static long revisionNow(BbsFixture f) {
        return f.tasks.listTasks(ListTasksRequest.newBuilder().setPageSize(1).build()).getRevision();
    }

    private static double subscribers(BbsServer server) {
        return server.registry().get("corkboard.bbs.watch.subscribers").gauge().value();
    }

    @Test
    void aWatcherSeesCreationChangeAndRemovalInRevisionOrder() {
        BbsFixture f = bbs.fixture();
        WatchRecorder watch = WatchRecorder.watch(f.channel, revisionNow(f));
        f.desired("t1");
        f.tasks.claimTask(claim("t1", "cell-1"));
        f.tasks.cancelTask(CancelTaskRequest.newBuilder().setGuid("t1").build());
        f.tasks.resolvingTask(ResolvingTaskRequest.newBuilder().setGuid("t1").build());
        f.tasks.resolveTask(ResolveTaskRequest.newBuilder().setGuid("t1").build());

        await().atMost(WAIT).until(() -> watch.events.size() == 5);
        List<TaskEvent> events = watch.events;
        assertTrue(events.get(0).hasCreated());
        assertEquals(TaskState.PENDING, events.get(1).getChanged().getBefore().getState());
        assertEquals(TaskState.CLAIMED, events.get(1).getChanged().getAfter().getState());
        assertEquals("t1", events.get(4).getRemoved().getTask().getGuid());
        for (int i = 1; i < events.size(); i++) {
            assertTrue(events.get(i).getRevision() > events.get(i - 1).getRevision(), "revisions go up");
        }
        watch.cancel();
    }

    @Test
    void aWatchFromAPastRevisionDeliversExactlyTheLaterEvents() {
        BbsFixture f = bbs.fixture();
        f.desired("a");
        long afterA = revisionNow(f);
        f.desired("b");
        f.desired("c");

        WatchRecorder watch = WatchRecorder.watch(f.channel, afterA);
        await().atMost(WAIT).until(() -> watch.events.size() == 2);
        f.desired("d");
        await().atMost(WAIT).until(() -> watch.events.size() == 3);
        assertEquals(List.of("b", "c", "d"), watch.createdGuids());
        watch.cancel();
    }

    /**
     * Over the Vert.x transport every etcd answer arrives on one event loop. A watch from a past revision first reads
     * etcd's revision, and opening it then starts the replica's shared watch, which reads the revision again: done on
     * the event loop, that second read waited for the thread it was blocking until the request timeout, and every
     * such watch failed.
     */
    @Test
    void theFirstWatchFromAPastRevisionOverTheVertxTransportDeliversTheLaterEvents() {
        BbsFixture f = bbs.fixture();
        BbsServer vertx = f.replica("--etcd-transport", "vertx");
        ManagedChannel channel = f.channelTo(vertx);
        f.desired("a");
        long afterA = revisionNow(f);
        f.desired("b");

        WatchRecorder watch = WatchRecorder.watch(channel, afterA);
        f.desired("c");
        await().atMost(WAIT).until(() -> watch.events.size() == 2);
        assertEquals(List.of("b", "c"), watch.createdGuids());
        watch.cancel();
    }

    @Test
    void aWatchAfterACompactedRevisionIsToldToResyncAndEnds() {
        BbsFixture f = bbs.fixture();
        f.desired("a");
        long old = revisionNow(f);
        f.desired("b");
        long now = revisionNow(f);
        f.etcd.getKVClient().compact(now).join();

        WatchRecorder watch = WatchRecorder.watch(f.channel, old);

        assertEquals(Status.Code.OK, watch.ended.orTimeout(20, java.util.concurrent.TimeUnit.SECONDS).join()
                .getCode());
        assertEquals(old, watch.resync.orElseThrow().getRequestedRevision());
        assertEquals(List.of(), watch.events);
    }

    @Test
    void aWatchAfterARevisionEtcdHasNotReachedIsInvalid() {
        BbsFixture f = bbs.fixture();
        long future = revisionNow(f) + 1_000_000;

        WatchRecorder watch = WatchRecorder.watch(f.channel, future);

        Status status = watch.ended.orTimeout(20, java.util.concurrent.TimeUnit.SECONDS).join();
        assertEquals(Status.Code.INVALID_ARGUMENT, status.getCode(), status.toString());
        assertTrue(status.getDescription().contains("after_revision"), status.getDescription());
    }

    @Test
    void aCallerThatCancelsReleasesItsStoreWatch() {
        BbsFixture f = bbs.fixture();
        WatchRecorder watch = WatchRecorder.watch(f.channel, revisionNow(f));
        await().atMost(WAIT).until(() -> subscribers(f.server) == 1);

        watch.cancel();

        await().atMost(WAIT).until(() -> subscribers(f.server) == 0);
    }

    @Test
    void aReaderThatFallsAFullBufferBehindIsCutOffWithResourceExhausted() {
        BbsFixture f = bbs.fixture();
        BbsServer small = f.replica("--watch-buffer", "4");
        ManagedChannel channel = f.channelTo(small);
        WatchRecorder watch = WatchRecorder.watchWithoutReading(channel, revisionNow(f));
        await().atMost(WAIT).until(() -> subscribers(small) == 1);
        TaskDefinition heavy = TaskDefinition.newBuilder(BbsFixture.definition())
                .addPlacementTags("x".repeat(200 * 1024)).build();

        // 30 events of 200 KiB: far more than the transport's window plus a buffer of 4
        for (int i = 0; i < 30; i++) {
            f.tasks.desireTask(BbsFixture.desire("t" + i).toBuilder().setDefinition(heavy).build());
        }

        await().atMost(WAIT).until(() -> subscribers(small) == 0);
        assertEquals(1, BbsFixture.count(small.registry(), "corkboard.store.watch.cutoffs"));
        watch.read(Integer.MAX_VALUE);
        Status status = watch.ended.orTimeout(20, java.util.concurrent.TimeUnit.SECONDS).join();
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, status.getCode());
        assertTrue(status.getDescription().contains("revision " + watch.lastRevision()), status.getDescription());
        assertTrue(watch.events.size() < 30, "cut off before the end: " + watch.events.size());
    }

    @Test
    void watchesBeyondTheLimitAreRefused() {
        BbsFixture f = bbs.fixture();
        BbsServer limited = f.replica("--max-watch-subscribers", "1");
        ManagedChannel channel = f.channelTo(limited);
        WatchRecorder first = WatchRecorder.watch(channel, revisionNow(f));
        await().atMost(WAIT).until(() -> subscribers(limited) == 1);

        WatchRecorder second = WatchRecorder.watch(channel, revisionNow(f));

        Status status = second.ended.orTimeout(20, java.util.concurrent.TimeUnit.SECONDS).join();
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, status.getCode());
        assertTrue(status.getDescription().contains("max-watch-subscribers"), status.getDescription());
        first.cancel();
    }
}
