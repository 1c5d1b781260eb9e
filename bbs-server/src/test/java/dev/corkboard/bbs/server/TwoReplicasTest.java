package dev.corkboard.bbs.server;

import static dev.corkboard.bbs.server.TaskServiceCallsTest.claim;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corkboard.proto.v1.ListTasksRequest;
import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskEvent;
import dev.corkboard.proto.v1.TaskServiceGrpc;
import dev.corkboard.proto.v1.TaskServiceGrpc.TaskServiceBlockingStub;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Several replicas on one etcd, all active: they agree on every race and hand watchers over without a gap. */
class TwoReplicasTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    static final BbsExtension bbs = new BbsExtension();

    @Test
    void concurrentClaimsThroughDifferentReplicasHaveExactlyOneWinnerEach() throws Exception {
        BbsFixture f = bbs.fixture();
        BbsServer other = f.replica();
        List<TaskServiceBlockingStub> replicas = List.of(f.tasks,
                TaskServiceGrpc.newBlockingStub(f.channelTo(other)));
        int taskCount = 30;
        for (int i = 0; i < taskCount; i++) {
            f.desired("t" + i);
        }
        Map<String, List<String>> winners = new ConcurrentHashMap<>();
        List<Status.Code> refusals = new java.util.concurrent.CopyOnWriteArrayList<>();
        int executors = 6;
        ExecutorService pool = Executors.newFixedThreadPool(executors);
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<Void>> runs = new ArrayList<>();
        for (int e = 0; e < executors; e++) {
            String executor = "cell-" + e;
            TaskServiceBlockingStub replica = replicas.get(e % 2);
            runs.add(CompletableFuture.runAsync(() -> {
                awaitQuietly(go);
                for (int i = 0; i < taskCount; i++) {
                    String guid = "t" + i;
                    try {
                        replica.claimTask(claim(guid, executor));
                        winners.computeIfAbsent(guid, g -> new java.util.concurrent.CopyOnWriteArrayList<>())
                                .add(executor);
                    } catch (StatusRuntimeException refused) {
                        refusals.add(refused.getStatus().getCode());
                    }
                }
            }, pool));
        }
        go.countDown();
        CompletableFuture.allOf(runs.toArray(new CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);
        pool.shutdown();

        Map<String, String> owners = new HashMap<>();
        for (Task task : f.listAll()) {
            owners.put(task.getGuid(), task.getExecutorId());
        }
        for (int i = 0; i < taskCount; i++) {
            String guid = "t" + i;
            List<String> won = winners.get(guid);
            assertEquals(1, won.size(), "exactly one claim of " + guid + " succeeded: " + won);
            assertEquals(won.get(0), owners.get(guid), "etcd records the winner of " + guid);
        }
        assertEquals(taskCount * (executors - 1), refusals.size());
        assertTrue(refusals.stream().allMatch(code -> code == Status.Code.FAILED_PRECONDITION), refusals.toString());
    }

    @Test
    void aWatcherOfAReplicaThatShutsDownResumesOnAnotherWithoutLosingOrRepeatingAnEvent() throws Exception {
        BbsFixture f = bbs.fixture();
        BbsServer survivor = f.replica();
        TaskServiceBlockingStub viaSurvivor = TaskServiceGrpc.newBlockingStub(f.channelTo(survivor));
        long start = f.tasks.listTasks(ListTasksRequest.newBuilder().setPageSize(1).build()).getRevision();
        WatchRecorder first = WatchRecorder.watch(f.channel, start);
        int total = 120;
        CountDownLatch closed = new CountDownLatch(1);
        // writes go on while the first replica shuts down; the second half waits until it has, so some events
        // certainly happen while the watcher has no stream at all
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < total; i++) {
                if (i == total / 2) {
                    awaitQuietly(closed);
                }
                viaSurvivor.desireTask(BbsFixture.desire(String.format("t%03d", i)));
            }
        });

        await().atMost(WAIT).until(() -> first.events.size() >= 20);
        f.server.close();
        closed.countDown();
        Status ended = first.ended.get(30, TimeUnit.SECONDS);
        assertEquals(Status.Code.UNAVAILABLE, ended.getCode(), ended.toString());

        WatchRecorder second = WatchRecorder.watch(f.channelTo(survivor), first.lastRevision());
        writer.get(60, TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> first.events.size() + second.events.size() >= total);

        List<TaskEvent> all = new ArrayList<>(first.events);
        all.addAll(second.events);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            expected.add(String.format("t%03d", i));
        }
        List<String> seen = new ArrayList<>(first.createdGuids());
        seen.addAll(second.createdGuids());
        assertEquals(expected, seen, "every task created exactly once, in order, across the hand-over");
        assertEquals(total, all.size());
        for (int i = 1; i < all.size(); i++) {
            assertTrue(all.get(i).getRevision() > all.get(i - 1).getRevision(), "revisions go up across replicas");
        }
        second.cancel();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
