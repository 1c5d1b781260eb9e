package dev.corkboard.bbs.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corkboard.proto.v1.CancelTaskRequest;
import dev.corkboard.proto.v1.ClaimTaskRequest;
import dev.corkboard.proto.v1.CompleteTaskRequest;
import dev.corkboard.proto.v1.FailTaskRequest;
import dev.corkboard.proto.v1.GetTaskRequest;
import dev.corkboard.proto.v1.ListTasksRequest;
import dev.corkboard.proto.v1.ListTasksResponse;
import dev.corkboard.proto.v1.RejectTaskRequest;
import dev.corkboard.proto.v1.ResolveTaskRequest;
import dev.corkboard.proto.v1.ResolvingTaskRequest;
import dev.corkboard.proto.v1.StartTaskRequest;
import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskServiceGrpc.TaskServiceBlockingStub;
import dev.corkboard.proto.v1.TaskState;
import io.grpc.Status;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every unary RPC through a real server on real etcd, as stagers, executors and operators call them. */
class TaskServiceCallsTest {

    @RegisterExtension
    static final BbsExtension bbs = new BbsExtension();

    @Test
    void aTaskGoesThroughItsWholeLifecycleAndIsRemovedOnResolve() {
        BbsFixture f = bbs.fixture();
        TaskServiceBlockingStub tasks = f.tasks;
        Task desired = f.desired("t1");
        assertEquals(TaskState.PENDING, desired.getState());
        assertEquals("test-domain", desired.getDomain());

        assertEquals(TaskState.CLAIMED, tasks.claimTask(claim("t1", "cell-1")).getTask().getState());
        Task running = tasks.startTask(StartTaskRequest.newBuilder().setGuid("t1").setExecutorId("cell-1")
                .setContainerHandle("c-1").build()).getTask();
        assertEquals(TaskState.RUNNING, running.getState());
        assertEquals("c-1", running.getContainerHandle());
        Task completed = tasks.completeTask(CompleteTaskRequest.newBuilder().setGuid("t1").setExecutorId("cell-1")
                .setResult("42").build()).getTask();
        assertEquals(TaskState.COMPLETED, completed.getState());
        assertEquals("42", completed.getResult());
        assertEquals(completed, tasks.getTask(GetTaskRequest.newBuilder().setGuid("t1").build()).getTask());
        assertEquals(TaskState.RESOLVING,
                tasks.resolvingTask(ResolvingTaskRequest.newBuilder().setGuid("t1").build()).getTask().getState());
        Task removed = tasks.resolveTask(ResolveTaskRequest.newBuilder().setGuid("t1").build()).getTask();

        assertEquals(TaskState.RESOLVING, removed.getState(), "resolve answers with the record as it was removed");
        assertEquals(List.of(), f.listAll());
        assertEquals(List.of(), f.etcdKeys(), "no record and no index key is left behind");
    }

    @Test
    void desiringTheSameTaskAgainIsASuccessThatChangesNothing() {
        BbsFixture f = bbs.fixture();
        Task first = f.desired("t1");
        assertEquals(first, f.desired("t1"));
        assertEquals(1, f.listAll().size());
    }

    @Test
    void rejectingPutsTheTaskBackToPendingWithTheReason() {
        BbsFixture f = bbs.fixture();
        f.desired("t1");
        f.tasks.claimTask(claim("t1", "cell-1"));
        Task rejected = f.tasks.rejectTask(RejectTaskRequest.newBuilder().setGuid("t1").setExecutorId("cell-1")
                .setReason("no room").build()).getTask();
        assertEquals(TaskState.PENDING, rejected.getState());
        assertEquals(1, rejected.getRejectionCount());
        assertEquals("no room", rejected.getRejectionReason());
        assertEquals("", rejected.getExecutorId());
    }

    @Test
    void cancellingCompletesTheTaskAsFailed() {
        BbsFixture f = bbs.fixture();
        f.desired("t1");
        Task cancelled = f.tasks.cancelTask(CancelTaskRequest.newBuilder().setGuid("t1").build()).getTask();
        assertEquals(TaskState.COMPLETED, cancelled.getState());
        assertTrue(cancelled.getFailed());
        assertEquals("task was cancelled", cancelled.getFailureReason());
    }

    @Test
    void failingCompletesTheTaskWithTheCallersReason() {
        BbsFixture f = bbs.fixture();
        f.desired("t1");
        f.tasks.claimTask(claim("t1", "cell-1"));
        Task failed = f.tasks.failTask(FailTaskRequest.newBuilder().setGuid("t1").setReason("executor vanished")
                .build()).getTask();
        assertEquals(TaskState.COMPLETED, failed.getState());
        assertTrue(failed.getFailed());
        assertEquals("executor vanished", failed.getFailureReason());
    }

    @Test
    void listingFiltersByStateDomainAndExecutor() {
        BbsFixture f = bbs.fixture();
        f.desired("a");
        f.desired("b");
        f.tasks.desireTask(BbsFixture.desire("c").toBuilder().setDomain("other").build());
        f.tasks.claimTask(claim("b", "cell-1"));

        assertEquals(Set.of("a", "c"), guids(f.tasks.listTasks(ListTasksRequest.newBuilder()
                .setState(TaskState.PENDING).build())));
        assertEquals(Set.of("a", "b"), guids(f.tasks.listTasks(ListTasksRequest.newBuilder()
                .setDomain("test-domain").build())));
        assertEquals(Set.of("b"), guids(f.tasks.listTasks(ListTasksRequest.newBuilder()
                .setExecutorId("cell-1").build())));
        assertEquals(Set.of("a"), guids(f.tasks.listTasks(ListTasksRequest.newBuilder()
                .setState(TaskState.PENDING).setDomain("test-domain").build())));
    }

    @Test
    void listingPagesThroughEveryTaskOnceAtOneRevision() {
        BbsFixture f = bbs.fixture();
        for (int i = 0; i < 7; i++) {
            f.desired("t" + i);
        }
        ListTasksResponse first = f.tasks.listTasks(ListTasksRequest.newBuilder().setPageSize(3).build());
        assertEquals(3, first.getTasksCount());
        assertFalse(first.getNextPageToken().isEmpty());
        f.desired("late"); // after the snapshot: not part of this listing
        ListTasksResponse second = f.tasks.listTasks(ListTasksRequest.newBuilder().setPageSize(3)
                .setPageToken(first.getNextPageToken()).build());
        ListTasksResponse third = f.tasks.listTasks(ListTasksRequest.newBuilder().setPageSize(3)
                .setPageToken(second.getNextPageToken()).build());

        assertEquals(first.getRevision(), third.getRevision());
        assertEquals("", third.getNextPageToken());
        Set<String> all = guids(first);
        all.addAll(guids(second));
        all.addAll(guids(third));
        assertEquals(Set.of("t0", "t1", "t2", "t3", "t4", "t5", "t6"), all);
    }

    @Test
    void startsAndCompletionsThatApplyAreCountedOnceAndRepeatsAreNot() {
        BbsFixture f = bbs.fixture();
        for (String guid : List.of("ok", "bad")) {
            f.desired(guid);
            f.tasks.claimTask(claim(guid, "cell-1"));
            StartTaskRequest start = StartTaskRequest.newBuilder().setGuid(guid).setExecutorId("cell-1")
                    .setContainerHandle("c").build();
            f.tasks.startTask(start);
            f.tasks.startTask(start);
        }
        CompleteTaskRequest ok = CompleteTaskRequest.newBuilder().setGuid("ok").setExecutorId("cell-1").build();
        f.tasks.completeTask(ok);
        f.tasks.completeTask(ok);
        f.tasks.completeTask(CompleteTaskRequest.newBuilder().setGuid("bad").setExecutorId("cell-1").setFailed(true)
                .setFailureReason("exit 1").build());

        assertEquals(2, BbsFixture.count(f.server.registry(), "corkboard.bbs.tasks.started"));
        assertEquals(1, BbsFixture.count(f.server.registry(), "corkboard.bbs.tasks.succeeded"));
        assertEquals(1, BbsFixture.count(f.server.registry(), "corkboard.bbs.tasks.failed"));
    }

    @Test
    void everyCallIsTimedByMethodAndStatusCode() {
        BbsFixture f = bbs.fixture();
        f.desired("t1");
        BbsFixture.refusal(() -> f.tasks.getTask(GetTaskRequest.newBuilder().setGuid("missing").build()));

        assertEquals(1, f.server.registry().get(CallMetrics.TIMER)
                .tag("method", "corkboard.v1.TaskService/DesireTask").tag("code", "OK").timer().count());
        assertEquals(1, f.server.registry().get(CallMetrics.TIMER)
                .tag("method", "corkboard.v1.TaskService/GetTask").tag("code", Status.Code.NOT_FOUND.name())
                .timer().count());
    }

    static ClaimTaskRequest claim(String guid, String executor) {
        return ClaimTaskRequest.newBuilder().setGuid(guid).setExecutorId(executor).build();
    }

    static Set<String> guids(ListTasksResponse response) {
        return response.getTasksList().stream().map(Task::getGuid).collect(Collectors.toSet());
    }
}
