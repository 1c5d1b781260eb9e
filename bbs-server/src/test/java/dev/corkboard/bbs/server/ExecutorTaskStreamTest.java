package dev.corkboard.bbs.server;

import static dev.corkboard.bbs.server.ExecutorCalls.blocking;
import static dev.corkboard.bbs.server.ExecutorCalls.desire;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corkboard.bbs.state.TaskLifecycle;
import dev.corkboard.bbs.state.TaskRequest;
import dev.corkboard.bbs.store.EtcdFutures;
import dev.corkboard.proto.v1.CancelTaskRequest;
import dev.corkboard.proto.v1.Capacity;
import dev.corkboard.proto.v1.ClaimTaskRequest;
import dev.corkboard.proto.v1.ExecutorServiceGrpc;
import dev.corkboard.proto.v1.ExecutorStatus;
import dev.corkboard.proto.v1.ExecutorTaskUpdate;
import dev.corkboard.proto.v1.HeartbeatRequest;
import dev.corkboard.proto.v1.ListExecutorsRequest;
import dev.corkboard.proto.v1.StartTaskRequest;
import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskState;
import dev.corkboard.proto.v1.WatchExecutorTasksRequest;
import io.grpc.Context;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** An executor's task stream and the roster of executors, both read from what the store holds. */
class ExecutorTaskStreamTest {

    @RegisterExtension
    static final BbsExtension bbs = new BbsExtension();

    private final Context.CancellableContext streams = Context.current().withCancellation();

    @AfterEach
    void cancelStreams() {
        streams.cancel(null);
    }

    /** Updates of a WatchExecutorTasks stream as they arrive; a stream end is an update with nothing set. */
    private BlockingQueue<ExecutorTaskUpdate> watch(BbsFixture f, String executorId) {
        BlockingQueue<ExecutorTaskUpdate> updates = new LinkedBlockingQueue<>();
        streams.run(() -> ExecutorServiceGrpc.newStub(f.channel).watchExecutorTasks(
                WatchExecutorTasksRequest.newBuilder().setExecutorId(executorId).build(), new StreamObserver<>() {
                    @Override
                    public void onNext(ExecutorTaskUpdate update) {
                        updates.add(update);
                    }

                    @Override
                    public void onError(Throwable t) {
                        updates.add(ExecutorTaskUpdate.getDefaultInstance());
                    }

                    @Override
                    public void onCompleted() {
                        updates.add(ExecutorTaskUpdate.getDefaultInstance());
                    }
                }));
        return updates;
    }

    private static ExecutorTaskUpdate next(BlockingQueue<ExecutorTaskUpdate> updates, long timeoutMs)
            throws InterruptedException {
        ExecutorTaskUpdate update = updates.poll(timeoutMs, TimeUnit.MILLISECONDS);
        assertNotNull(update, "no update within " + timeoutMs + " ms");
        return update;
    }

    private static void claim(BbsFixture f, String guid, String executorId) {
        f.tasks.claimTask(ClaimTaskRequest.newBuilder().setGuid(guid).setExecutorId(executorId).build());
    }

    @Test
    void theStreamSendsTheExecutorsTasksThenACancellationWithinASecond() throws Exception {
        BbsFixture f = bbs.fixture();
        f.desired("mine");
        f.desired("theirs");
        f.desired("pending");
        claim(f, "mine", "cell-1");
        claim(f, "theirs", "cell-2");
        BlockingQueue<ExecutorTaskUpdate> updates = watch(f, "cell-1");

        ExecutorTaskUpdate snapshot = next(updates, 10_000);
        assertEquals(List.of("mine"), snapshot.getSnapshot().getTasksList().stream().map(Task::getGuid).toList());

        f.tasks.cancelTask(CancelTaskRequest.newBuilder().setGuid("theirs").build());
        f.tasks.cancelTask(CancelTaskRequest.newBuilder().setGuid("mine").build());
        Task cancelled = next(updates, 1_000).getChanged();

        assertEquals("mine", cancelled.getGuid(), "only the executor's own tasks are sent");
        assertEquals(TaskState.COMPLETED, cancelled.getState());
        assertEquals(TaskLifecycle.CANCELLED_REASON, cancelled.getFailureReason());
    }

    @Test
    void aClaimAfterTheSnapshotAndADemotionByTheConvergerAreSent() throws Exception {
        BbsFixture f = bbs.fixture();
        f.desired("t1");
        BlockingQueue<ExecutorTaskUpdate> updates = watch(f, "cell-1");
        assertEquals(0, next(updates, 10_000).getSnapshot().getTasksCount());

        claim(f, "t1", "cell-1");
        Task claimed = next(updates, 5_000).getChanged();
        EtcdFutures.join(f.server.store().apply(new TaskRequest.DemoteClaim("t1")));
        Task demoted = next(updates, 5_000).getChanged();

        assertEquals(TaskState.CLAIMED, claimed.getState());
        assertEquals("cell-1", claimed.getExecutorId());
        assertEquals(TaskState.PENDING, demoted.getState());
        assertEquals("", demoted.getExecutorId());
    }

    @Test
    void listExecutorsSumsClaimedAndRunningTasksAndFloorsFreeAtZero() {
        BbsFixture f = bbs.fixture();
        var executors = blocking(f.channel);
        executors.heartbeat(HeartbeatRequest.newBuilder().setPresence(ExecutorCalls.presence("cell-1",
                Capacity.newBuilder().setMemoryMb(4096).setDiskMb(1000).setContainers(4).build())).build());
        executors.heartbeat(HeartbeatRequest.newBuilder().setPresence(ExecutorCalls.presence("cell-2",
                Capacity.newBuilder().setMemoryMb(100).setDiskMb(10).setContainers(1).build())).build());
        f.tasks.desireTask(desire("claimed", 1024, 100, List.of(), ""));
        f.tasks.desireTask(desire("running", 512, 50, List.of(), ""));
        f.tasks.desireTask(desire("pending", 2048, 0, List.of(), ""));
        f.tasks.desireTask(desire("big", 1024, 100, List.of(), ""));
        claim(f, "claimed", "cell-1");
        claim(f, "running", "cell-1");
        f.tasks.startTask(StartTaskRequest.newBuilder().setGuid("running").setExecutorId("cell-1")
                .setContainerHandle("c-1").build());
        claim(f, "big", "cell-2");

        Map<String, ExecutorStatus> roster = executors.listExecutors(ListExecutorsRequest.getDefaultInstance())
                .getExecutorsList().stream().collect(Collectors.toMap(s -> s.getPresence().getExecutorId(), s -> s));

        ExecutorStatus one = roster.get("cell-1");
        assertEquals(Capacity.newBuilder().setMemoryMb(1536).setDiskMb(150).setContainers(2).build(), one.getUsed());
        assertEquals(Capacity.newBuilder().setMemoryMb(2560).setDiskMb(850).setContainers(2).build(), one.getFree());
        assertEquals(2, one.getTasks());
        ExecutorStatus two = roster.get("cell-2");
        assertEquals(Capacity.newBuilder().setMemoryMb(0).setDiskMb(0).setContainers(0).build(), two.getFree());
        assertEquals(1, two.getTasks());
        assertTrue(two.getPresence().getRegisteredAtMs() > 0);
    }
}
