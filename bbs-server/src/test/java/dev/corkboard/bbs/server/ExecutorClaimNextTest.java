package dev.corkboard.bbs.server;

import static dev.corkboard.bbs.server.ExecutorCalls.blocking;
import static dev.corkboard.bbs.server.ExecutorCalls.claimNext;
import static dev.corkboard.bbs.server.ExecutorCalls.claimNextAsync;
import static dev.corkboard.bbs.server.ExecutorCalls.counter;
import static dev.corkboard.bbs.server.ExecutorCalls.desire;
import static dev.corkboard.bbs.server.ExecutorCalls.gauge;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corkboard.proto.v1.Capacity;
import dev.corkboard.proto.v1.ClaimNextResponse;
import dev.corkboard.proto.v1.ExecutorServiceGrpc.ExecutorServiceBlockingStub;
import dev.corkboard.proto.v1.GetTaskRequest;
import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskState;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** ClaimNext: the oldest pending task that fits, claimed for the caller, from a pool fed by one watch per replica. */
class ExecutorClaimNextTest {

    private static final String PARKED = "corkboard.bbs.executors.parked";
    private static final String CLAIM_NEXT = "corkboard.bbs.executors.claim_next";

    @RegisterExtension
    static final BbsExtension bbs = new BbsExtension();

    private static TaskState stateOf(BbsFixture f, String guid) {
        return f.tasks.getTask(GetTaskRequest.newBuilder().setGuid(guid).build()).getTask().getState();
    }

    @Test
    void aPendingTaskIsReturnedClaimedForTheCaller() {
        BbsFixture f = bbs.fixture();
        f.desired("t1");

        Task task = blocking(f.channel).claimNext(claimNext("cell-1", 10_000).build()).getTask();

        assertEquals("t1", task.getGuid());
        assertEquals(TaskState.CLAIMED, task.getState());
        assertEquals("cell-1", task.getExecutorId());
        assertEquals(TaskState.CLAIMED, stateOf(f, "t1"));
        assertEquals(1, counter(f.server.registry(), CLAIM_NEXT, "outcome", "claimed"));
    }

    @Test
    void tasksThatDoNotFitAreSkippedForAYoungerOneThatFitsAndStayPending() {
        BbsFixture f = bbs.fixture();
        f.tasks.desireTask(desire("too-big", 8192, 0, List.of(), ""));
        f.tasks.desireTask(desire("needs-gpu", 0, 0, List.of("gpu"), ""));
        f.tasks.desireTask(desire("needs-sandbox", 0, 0, List.of(), "sandbox"));
        f.tasks.desireTask(desire("fits", 1024, 100, List.of("ssd"), "process"));
        ExecutorServiceBlockingStub executors = blocking(f.channel);

        Task claimed = executors.claimNext(claimNext("cell-1", 10_000).addPlacementTags("ssd").build()).getTask();
        ClaimNextResponse nothing = executors.claimNext(claimNext("cell-1", 300).addPlacementTags("ssd").build());

        assertEquals("fits", claimed.getGuid());
        assertFalse(nothing.hasTask(), nothing.toString());
        for (String guid : List.of("too-big", "needs-gpu", "needs-sandbox")) {
            assertEquals(TaskState.PENDING, stateOf(f, guid), guid);
        }
    }

    @Test
    void anExecutorWithoutAFreeContainerGetsNothing() {
        BbsFixture f = bbs.fixture();
        f.desired("t1");
        Capacity full = Capacity.newBuilder().setMemoryMb(4096).setDiskMb(1000).setContainers(0).build();

        ClaimNextResponse response = blocking(f.channel).claimNext(claimNext("cell-1", 300).setFree(full).build());

        assertFalse(response.hasTask());
        assertEquals(TaskState.PENDING, stateOf(f, "t1"));
    }

    @Test
    void aParkedClaimNextReturnsPromptlyWhenAFittingTaskIsDesired() throws Exception {
        BbsFixture f = bbs.fixture();
        CompletableFuture<ClaimNextResponse> parked = claimNextAsync(f.channel, claimNext("cell-1", 30_000).build());
        await().atMost(Duration.ofSeconds(10)).until(() -> gauge(f.server.registry(), PARKED) == 1);

        long desiredAt = System.nanoTime();
        f.desired("t1");
        Task task = parked.get(10, TimeUnit.SECONDS).getTask();

        assertEquals("t1", task.getGuid());
        assertEquals("cell-1", task.getExecutorId());
        assertTrue(System.nanoTime() - desiredAt < TimeUnit.SECONDS.toNanos(5), "answered long before the wait");
        assertEquals(0, gauge(f.server.registry(), PARKED));
    }

    @Test
    void aClaimNextAnswersEmptyAfterItsWait() {
        BbsFixture f = bbs.fixture();
        long start = System.nanoTime();

        ClaimNextResponse response = blocking(f.channel).claimNext(claimNext("cell-1", 700).build());

        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertFalse(response.hasTask());
        assertTrue(elapsedMs >= 650 && elapsedMs < 5_000, "answered after " + elapsedMs + " ms");
        assertEquals(1, counter(f.server.registry(), CLAIM_NEXT, "outcome", "empty"));
    }

    @Test
    void aCancelledClaimNextLeavesNoParkedWaiter() throws Exception {
        BbsFixture f = bbs.fixture();
        Context.CancellableContext call = Context.current().withCancellation();
        CompletableFuture<ClaimNextResponse> parked = call.call(
                () -> claimNextAsync(f.channel, claimNext("cell-1", 30_000).build()));
        await().atMost(Duration.ofSeconds(10)).until(() -> gauge(f.server.registry(), PARKED) == 1);

        call.cancel(null);

        await().atMost(Duration.ofSeconds(10)).until(() -> gauge(f.server.registry(), PARKED) == 0);
        assertTrue(parked.isCompletedExceptionally());
    }

    @Test
    void withManyParkedPollersOnTwoReplicasADesiredTaskCostsOneDesireAndOneClaim() throws Exception {
        BbsFixture f = bbs.fixture();
        BbsServer other = f.replica();
        List<ManagedChannel> channels = List.of(f.channel, f.channelTo(other));
        List<CompletableFuture<ClaimNextResponse>> pollers = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            pollers.add(claimNextAsync(channels.get(i % 2), claimNext("cell-" + i, 4_000).build()));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> gauge(f.server.registry(), PARKED)
                + gauge(other.registry(), PARKED) == 10);
        long before = revision(f);

        f.desired("t1");
        CompletableFuture.allOf(pollers.toArray(new CompletableFuture[0])).get(20, TimeUnit.SECONDS);

        List<Task> claimed = pollers.stream().map(CompletableFuture::join).filter(ClaimNextResponse::hasTask)
                .map(ClaimNextResponse::getTask).toList();
        assertEquals(1, claimed.size(), claimed.toString());
        assertEquals(before + 2, revision(f), "one write for the desire and one for the claim, nothing else");
        double attempts = claimAttempts(f.server) + claimAttempts(other);
        assertTrue(attempts >= 1 && attempts <= 2, "at most one claim attempt per replica, was " + attempts);
    }

    @Test
    void twentyCallersOnTwoReplicasClaimTenTasksExactlyOnceEach() throws Exception {
        BbsFixture f = bbs.fixture();
        BbsServer other = f.replica();
        List<ManagedChannel> channels = List.of(f.channel, f.channelTo(other));
        List<CompletableFuture<ClaimNextResponse>> callers = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            callers.add(claimNextAsync(channels.get(i % 2), claimNext("cell-" + i, 3_000).build()));
        }
        for (int i = 0; i < 10; i++) {
            f.desired("t" + i);
        }
        CompletableFuture.allOf(callers.toArray(new CompletableFuture[0])).get(30, TimeUnit.SECONDS);

        Set<String> guids = new HashSet<>();
        for (int i = 0; i < callers.size(); i++) {
            ClaimNextResponse response = callers.get(i).join();
            if (response.hasTask()) {
                assertTrue(guids.add(response.getTask().getGuid()), "claimed twice: " + response.getTask().getGuid());
                Task stored = f.tasks.getTask(GetTaskRequest.newBuilder().setGuid(response.getTask().getGuid())
                        .build()).getTask();
                assertEquals("cell-" + i, stored.getExecutorId());
            }
        }
        assertEquals(10, guids.size(), guids.toString());
    }

    private static long revision(BbsFixture f) {
        return f.etcd.getKVClient().get(io.etcd.jetcd.ByteSequence.from("/", java.nio.charset.StandardCharsets.UTF_8))
                .join().getHeader().getRevision();
    }

    private static double claimAttempts(BbsServer server) {
        return server.registry().find("corkboard.store.transitions").tag("call", "claim").counters().stream()
                .mapToDouble(c -> c.count()).sum();
    }
}
