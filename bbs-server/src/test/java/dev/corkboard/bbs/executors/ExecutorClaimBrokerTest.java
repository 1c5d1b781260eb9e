package dev.corkboard.bbs.executors;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corkboard.bbs.state.TaskError;
import dev.corkboard.bbs.state.TaskException;
import dev.corkboard.bbs.store.EtcdTaskStore;
import dev.corkboard.proto.v1.Capacity;
import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskDefinition;
import dev.corkboard.proto.v1.TaskState;
import io.grpc.Status;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The claim broker's hand-offs, without etcd: claims are answered by the test. */
class ExecutorClaimBrokerTest {

    private static final Capacity ROOMY = Capacity.newBuilder().setMemoryMb(4096).setDiskMb(1000).setContainers(4)
            .build();

    /** One claim the broker asked for; the test settles it. */
    private record Attempt(String guid, String executorId, CompletableFuture<EtcdTaskStore.Applied> result) {}

    /** What one ClaimNext call heard. */
    private static final class Answer implements ClaimReply {
        final CompletableFuture<Optional<Task>> task = new CompletableFuture<>();
        volatile Status failure;

        @Override
        public void claimed(Task claimed) {
            task.complete(Optional.of(claimed));
        }

        @Override
        public void empty() {
            task.complete(Optional.empty());
        }

        @Override
        public void failed(Status status) {
            failure = status;
            task.completeExceptionally(status.asRuntimeException());
        }
    }

    private final List<Attempt> attempts = new CopyOnWriteArrayList<>();
    private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);
    private final ClaimBroker broker = new ClaimBroker((guid, executorId) -> {
        Attempt attempt = new Attempt(guid, executorId, new CompletableFuture<>());
        attempts.add(attempt);
        return attempt.result();
    }, timer, ExecutorSettings.defaults(), new ExecutorMetrics(new SimpleMeterRegistry()));

    @AfterEach
    void stop() {
        broker.close();
        timer.shutdownNow();
    }

    private static ExecutorOffer offer(String executorId) {
        return new ExecutorOffer(executorId, ROOMY, Set.of(), Set.of());
    }

    private static Task pending(String guid, long createdAt) {
        return Task.newBuilder().setGuid(guid).setState(TaskState.PENDING).setCreatedAtMs(createdAt)
                .setDefinition(TaskDefinition.getDefaultInstance()).build();
    }

    private Answer park(String executorId) {
        Answer answer = new Answer();
        int before = broker.parkedCount();
        broker.claimNext(offer(executorId), Duration.ofSeconds(30), answer);
        assertEquals(before + 1, broker.parkedCount(), "parked");
        return answer;
    }

    private Attempt attempt(int index) {
        await().atMost(Duration.ofSeconds(5)).until(() -> attempts.size() > index);
        return attempts.get(index);
    }

    private static TaskException unavailable() {
        return new TaskException(new TaskError.Unavailable("etcd did not answer within 2s"));
    }

    @Test
    void aTaskWhoseClaimFailedUnavailableIsOfferedToTheNextParkedCallerAtOnce() {
        Answer first = park("cell-1");
        Answer second = park("cell-2");

        broker.pending(pending("t1", 1), 11);
        Attempt lost = attempt(0);
        assertEquals("cell-1", lost.executorId());
        lost.result().completeExceptionally(unavailable());

        assertEquals(Status.Code.UNAVAILABLE, first.failure.getCode());
        Attempt retried = attempt(1);
        assertEquals("t1", retried.guid());
        assertEquals("cell-2", retried.executorId());
        retried.result().complete(claimed("t1", "cell-2", 12));
        assertEquals("t1", second.task.join().orElseThrow().getGuid());
        assertEquals(0, broker.parkedCount());
        assertTrue(attempts.size() == 2, attempts.toString());
    }

    private Answer call(String executorId, Duration wait) {
        Answer answer = new Answer();
        broker.claimNext(offer(executorId), wait, answer);
        return answer;
    }

    private static EtcdTaskStore.Applied claimed(String guid, String executorId, long revision) {
        return new EtcdTaskStore.Applied(pending(guid, 1).toBuilder().setState(TaskState.CLAIMED)
                .setExecutorId(executorId).build(), true, revision);
    }

    @Test
    void aTaskClaimedWhileTheFeedReListsIsNotHandedOutAgainFromTheOlderListing() throws Exception {
        broker.reset(List.of(), 10);
        broker.pending(pending("t1", 1), 11);
        Answer first = call("cell-1", Duration.ofSeconds(30));
        attempt(0).result().complete(claimed("t1", "cell-1", 13));
        assertEquals("t1", first.task.join().orElseThrow().getGuid());

        // the re-listing was read before that claim; the watch after it will report the claim
        broker.reset(List.of(pending("t1", 1)), 12);
        Answer second = call("cell-1", Duration.ofMillis(300));

        assertEquals(Optional.empty(), second.task.get(5, TimeUnit.SECONDS), "handed out once only");
        assertEquals(1, attempts.size(), attempts.toString());
    }

    @Test
    void aPendingEventOlderThanAClaimThisReplicaMadeDoesNotPutTheTaskBack() throws Exception {
        broker.reset(List.of(), 10);
        broker.pending(pending("t1", 1), 11);
        Answer first = call("cell-1", Duration.ofSeconds(30));
        attempt(0).result().complete(claimed("t1", "cell-1", 13));
        assertEquals("t1", first.task.join().orElseThrow().getGuid());

        // the watch lags: a re-announcement made before the claim arrives after it settled
        broker.pending(pending("t1", 1), 12);
        Answer second = call("cell-1", Duration.ofMillis(300));

        assertEquals(Optional.empty(), second.task.get(5, TimeUnit.SECONDS), "handed out once only");
        assertEquals(1, attempts.size(), attempts.toString());
    }

    @Test
    void aTaskPendingAgainAfterThisReplicasClaimIsHandedOutAgain() throws Exception {
        broker.reset(List.of(), 10);
        broker.pending(pending("t1", 1), 11);
        Answer first = call("cell-1", Duration.ofSeconds(30));
        attempt(0).result().complete(claimed("t1", "cell-1", 13));
        first.task.get(5, TimeUnit.SECONDS);

        broker.gone("t1", 13);
        broker.pending(pending("t1", 1), 20); // rejected or demoted after the claim
        Answer second = call("cell-2", Duration.ofSeconds(30));

        Attempt again = attempt(1);
        assertEquals("t1", again.guid());
        again.result().complete(claimed("t1", "cell-2", 21));
        assertEquals("t1", second.task.get(5, TimeUnit.SECONDS).orElseThrow().getGuid());
    }
}
