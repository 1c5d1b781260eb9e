package dev.corkboard.bbs.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corkboard.proto.v1.ListTasksRequest;
import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskDefinition;
import dev.corkboard.proto.v1.TaskEvent;
import dev.corkboard.proto.v1.TaskState;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.PutOption;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** WatchTasks streams of one replica share one etcd watch, and each still sees every event once, in order. */
class SharedTaskWatchTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @RegisterExtension
    static final BbsExtension bbs = new BbsExtension();

    @Test
    void everySubscriberSeesEveryEventOnceInOrderWithSeveralTasksAtOneRevision() {
        BbsFixture f = bbs.fixture();
        long from = revisionNow(f);
        List<WatchRecorder> watches = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            watches.add(WatchRecorder.watch(f.channel, from));
        }
        await().atMost(WAIT).until(() -> subscribers(f.server) == 5);

        f.desired("a");
        putAtOneRevision(f, "b1", "b2", "b3");
        f.desired("c");

        for (WatchRecorder watch : watches) {
            await().atMost(WAIT).until(() -> watch.createdGuids().contains("c"));
            assertEquals(List.of("a", "b1", "b2", "b3", "c"), watch.createdGuids());
            assertEquals(watches.get(0).events, watch.events);
        }
        List<TaskEvent> events = watches.get(0).events;
        assertEquals(events.get(1).getRevision(), events.get(3).getRevision(), "b1..b3 share one revision");
        watches.forEach(WatchRecorder::cancel);
    }

    @Test
    void aSlowSubscriberIsCutOffWhileTheOthersGoOn() {
        BbsFixture f = bbs.fixture();
        BbsServer small = f.replica("--watch-buffer", "8");
        ManagedChannel channel = f.channelTo(small);
        long from = revisionNow(f);
        WatchRecorder slow = WatchRecorder.watchWithoutReading(channel, from);
        WatchRecorder reader = WatchRecorder.watch(channel, from);
        await().atMost(WAIT).until(() -> subscribers(small) == 2);
        TaskDefinition heavy = TaskDefinition.newBuilder(BbsFixture.definition())
                .addPlacementTags("x".repeat(200 * 1024)).build();

        // 30 events of 200 KiB: far more than the transport's window plus a buffer of 8
        for (int i = 0; i < 30; i++) {
            f.tasks.desireTask(BbsFixture.desire("t" + i).toBuilder().setDefinition(heavy).build());
        }

        await().atMost(WAIT).until(() -> subscribers(small) == 1);
        assertEquals(1, BbsFixture.count(small.registry(), "corkboard.store.watch.cutoffs"));
        slow.read(Integer.MAX_VALUE);
        Status status = slow.ended.orTimeout(20, TimeUnit.SECONDS).join();
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, status.getCode());
        f.desired("after");
        await().atMost(WAIT).until(() -> reader.createdGuids().contains("after"));
        assertEquals(31, reader.createdGuids().size());
        assertFalse(reader.ended.isDone(), "the reader's stream goes on");
        reader.cancel();
    }

    @Test
    void subscribersJoiningBeforeAtAndAfterTheSharedRevisionGetNoGapAndNoDuplicate() {
        BbsFixture f = bbs.fixture();
        long beforeA = revisionNow(f);
        WatchRecorder first = WatchRecorder.watch(f.channel, beforeA);
        await().atMost(WAIT).until(() -> subscribers(f.server) == 1);
        f.desired("a");
        f.desired("b");
        await().atMost(WAIT).until(() -> first.events.size() == 2);
        long atA = first.events.get(0).getRevision();
        long atB = first.events.get(1).getRevision();
        f.putRaw("/not-a-task", new byte[0]); // etcd moves on, the shared watch hears nothing
        long ahead = revisionNow(f);
        assertTrue(ahead > atB);

        WatchRecorder catchingUp = WatchRecorder.watch(f.channel, beforeA); // older than the shared watch has
        WatchRecorder insideLast = WatchRecorder.watch(f.channel, atA); // the shared watch's last revision follows
        WatchRecorder atShared = WatchRecorder.watch(f.channel, atB);
        WatchRecorder afterShared = WatchRecorder.watch(f.channel, ahead);
        await().atMost(WAIT).until(() -> subscribers(f.server) == 5);
        f.desired("c");
        f.desired("d");

        List<WatchRecorder> all = List.of(first, catchingUp, insideLast, atShared, afterShared);
        all.forEach(watch -> await().atMost(WAIT).until(() -> watch.createdGuids().contains("d")));
        assertEquals(List.of("a", "b", "c", "d"), first.createdGuids());
        assertEquals(List.of("a", "b", "c", "d"), catchingUp.createdGuids());
        assertEquals(List.of("b", "c", "d"), insideLast.createdGuids());
        assertEquals(List.of("c", "d"), atShared.createdGuids());
        assertEquals(List.of("c", "d"), afterShared.createdGuids());
        all.forEach(WatchRecorder::cancel);
    }

    @Test
    void severalSubscribersHoldOneEtcdWatchAndOnlyACatchUpAddsOne() throws Exception {
        BbsFixture f = bbs.fixture();
        long beforeA = revisionNow(f);
        List<WatchRecorder> watches = new ArrayList<>(List.of(WatchRecorder.watch(f.channel, beforeA)));
        f.desired("a");
        await().atMost(WAIT).until(() -> watches.get(0).events.size() == 1);
        double withOne = etcdWatchers(f);

        for (int i = 0; i < 4; i++) {
            watches.add(WatchRecorder.watch(f.channel, 0));
        }
        await().atMost(WAIT).until(() -> subscribers(f.server) == 5);
        f.desired("b");
        watches.forEach(watch -> await().atMost(WAIT).until(() -> watch.createdGuids().contains("b")));
        assertEquals(withOne, etcdWatchers(f), "four more subscribers, no more etcd watches");

        WatchRecorder catchingUp = WatchRecorder.watch(f.channel, beforeA);
        await().atMost(WAIT).until(() -> catchingUp.createdGuids().contains("b"));
        assertEquals(withOne + 1, etcdWatchers(f), "a subscriber catching up holds a watch of its own");
        catchingUp.cancel();
        await().atMost(WAIT).until(() -> etcdWatchers(f) == withOne);
        watches.forEach(WatchRecorder::cancel);
    }

    @Test
    void subscribersGoOnAcrossAnEtcdRestartWithoutGapOrDuplicate() {
        BbsFixture f = bbs.fixture();
        long from = revisionNow(f);
        List<WatchRecorder> watches = List.of(WatchRecorder.watch(f.channel, from),
                WatchRecorder.watch(f.channel, from));
        await().atMost(WAIT).until(() -> subscribers(f.server) == 2);
        f.desired("a");
        watches.forEach(watch -> await().atMost(WAIT).until(() -> watch.events.size() == 1));

        bbs.etcd().cluster().member(0).restart();
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> f.desired("b") != null);

        for (WatchRecorder watch : watches) {
            await().atMost(Duration.ofSeconds(60)).until(() -> watch.createdGuids().contains("b"));
            assertEquals(List.of("a", "b"), watch.createdGuids());
            assertFalse(watch.ended.isDone(), "the stream survives the restart");
        }
        watches.forEach(WatchRecorder::cancel);
    }

    private static long revisionNow(BbsFixture f) {
        return f.tasks.listTasks(ListTasksRequest.newBuilder().setPageSize(1).build()).getRevision();
    }

    private static double subscribers(BbsServer server) {
        return server.registry().get("corkboard.bbs.watch.subscribers").gauge().value();
    }

    /** Several task records written by one etcd transaction, so at one revision. */
    private static void putAtOneRevision(BbsFixture f, String... guids) {
        List<Op> puts = new ArrayList<>();
        for (String guid : guids) {
            Task task = Task.newBuilder().setGuid(guid).setDomain("test-domain").setState(TaskState.PENDING)
                    .setDefinition(BbsFixture.definition()).build();
            puts.add(Op.put(ByteSequence.from(f.prefix + "/tasks/" + guid, StandardCharsets.UTF_8),
                    ByteSequence.from(task.toByteArray()), PutOption.DEFAULT));
        }
        f.etcd.getKVClient().txn().Then(puts.toArray(new Op[0])).commit().join();
    }

    /** etcd's own count of the watchers it serves (every client's, so compare counts, not absolutes). */
    private static double etcdWatchers(BbsFixture f) throws IOException, InterruptedException {
        HttpResponse<String> metrics = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(f.endpoints.get(0) + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        return metrics.body().lines().filter(line -> line.startsWith("etcd_debugging_mvcc_watcher_total "))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.indexOf(' ') + 1))).sum();
    }
}
