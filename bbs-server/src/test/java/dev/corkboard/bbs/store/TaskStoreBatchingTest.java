package dev.corkboard.bbs.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corkboard.bbs.state.Call;
import dev.corkboard.bbs.state.TaskError;
import dev.corkboard.bbs.state.TaskException;
import dev.corkboard.bbs.state.TaskRequest;
import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskState;
import dev.corkboard.testkit.EtcdCluster;
import dev.corkboard.testkit.FixtureExtension;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Transitions of different tasks share etcd transactions, and each still completes as it would alone. One batch in
 * flight at a time, so that calls made together wait together.
 */
class TaskStoreBatchingTest {

    private static final int TASKS = 40;

    @RegisterExtension
    static final FixtureExtension<StoreFixture> store = new FixtureExtension<>(
            endpoints -> new StoreFixture(endpoints, StoreFixture.settings().withBatchesInFlight(1)));

    @Test
    void concurrentTransitionsOfDifferentTasksShareTransactionsAndAllApply() {
        StoreFixture fixture = store.fixture();
        long before = fixture.join(fixture.store.revision());

        List<Task> desired = joinAll(all(guid -> fixture.store.apply(
                new TaskRequest.Desire(guid, "batch", StoreFixture.definition()))));
        List<EtcdTaskStore.Applied> claimed = joinAll(all(guid -> fixture.store.applyReporting(
                new TaskRequest.Claim(guid, "cell-1"))));

        for (int i = 0; i < TASKS; i++) {
            assertEquals(TaskState.PENDING, desired.get(i).getState());
            assertEquals(TaskState.CLAIMED, fixture.get(guidOf(i)).getState());
            assertEquals(fixture.modRevision(guidOf(i)), claimed.get(i).revision(),
                    "each call reports the revision its batch wrote the task at");
        }
        long transactions = fixture.join(fixture.store.revision()) - before;
        assertTrue(transactions < 2 * TASKS, 2 * TASKS + " transitions took " + transactions + " transactions");
        HistogramSnapshot sizes = batchSizes(fixture);
        assertEquals(2 * TASKS, (long) sizes.total(), "every transition went out in a batch exactly once");
        assertEquals(transactions, sizes.count(), "one revision per batch");
        fixture.assertIndexExact();
    }

    @Test
    void aStaleGuessInABatchIsDecidedAgainAloneWhileTheOthersApply() {
        StoreFixture fixture = store.fixture();
        joinAll(all(guid -> fixture.store.apply(new TaskRequest.Desire(guid, "batch", StoreFixture.definition()))));
        String moved = guidOf(TASKS / 2);
        // another replica claims one task: this store still believes it pending
        fixture.join(fixture.anotherReplica().apply(new TaskRequest.Claim(moved, "cell-9")));

        List<Task> cancelled = joinAll(all(guid -> fixture.store.apply(new TaskRequest.Cancel(guid))));

        cancelled.forEach(task -> assertEquals(TaskState.COMPLETED, task.getState()));
        assertEquals("cell-9", fixture.get(moved).getExecutorId(), "the cancel was decided on the claimed record");
        assertEquals(1, conflicts(fixture, Call.CANCEL), "only the stale guess was decided again");
        assertTrue(fixture.counter("corkboard.store.batch.conflicts") >= 1, "its batch failed as a whole");
        fixture.assertIndexExact();
    }

    @Test
    void aRefusalAfterDecidingAgainFailsOnlyThatCall() {
        StoreFixture fixture = store.fixture();
        joinAll(all(guid -> fixture.store.apply(new TaskRequest.Desire(guid, "batch", StoreFixture.definition()))));
        String taken = guidOf(TASKS / 2);
        fixture.join(fixture.anotherReplica().apply(new TaskRequest.Claim(taken, "cell-9")));

        List<CompletableFuture<Task>> claims = all(guid -> fixture.store.apply(new TaskRequest.Claim(guid, "cell-1")));

        for (int i = 0; i < TASKS; i++) {
            String guid = guidOf(i);
            if (guid.equals(taken)) {
                TaskException refusal = assertInstanceOf(TaskException.class,
                        EtcdFutures.unwrap(claims.get(i).handle((task, failure) -> failure).join()));
                assertEquals(new TaskError.OwnedByAnotherExecutor(guid, "cell-9", "cell-1", Call.CLAIM),
                        refusal.error());
            } else {
                assertEquals("cell-1", claims.get(i).join().getExecutorId());
            }
        }
        assertEquals("cell-9", fixture.get(taken).getExecutorId());
        fixture.assertIndexExact();
    }

    @Test
    void twoCallsForOneTaskNeverShareATransactionAndExactlyOneClaimWins() {
        StoreFixture fixture = store.fixture();
        joinAll(all(guid -> fixture.store.apply(new TaskRequest.Desire(guid, "batch", StoreFixture.definition()))));

        // both claims of a task are decided on the same known record and wait side by side
        List<CompletableFuture<Task>> first = all(guid -> fixture.store.apply(new TaskRequest.Claim(guid, "cell-1")));
        List<CompletableFuture<Task>> second = all(guid -> fixture.store.apply(new TaskRequest.Claim(guid, "cell-2")));

        for (int i = 0; i < TASKS; i++) {
            String guid = guidOf(i);
            // a transaction naming a key twice would fail both calls as unavailable
            Throwable lost = EtcdFutures.unwrap(second.get(i).handle((task, failure) -> failure).join());
            assertEquals("cell-1", first.get(i).join().getExecutorId(), "the first claim of " + guid + " wins");
            assertEquals(new TaskError.OwnedByAnotherExecutor(guid, "cell-1", "cell-2", Call.CLAIM),
                    assertInstanceOf(TaskException.class, lost).error());
        }
        fixture.assertIndexExact();
    }

    @Test
    void batchesStayWithinEtcdsMaxTxnOps() {
        try (EtcdCluster cluster = EtcdCluster.of(1, List.of("--max-txn-ops=8"));
                StoreFixture fixture = new StoreFixture(cluster.clientEndpoints(),
                        StoreFixture.settings().withBatchesInFlight(1).withMaxTxnOps(8))) {
            // a desire writes 2 keys, a claim 4: at most 4 and 2 of them per transaction
            joinAll(all(guid -> fixture.store.apply(new TaskRequest.Desire(guid, "batch", StoreFixture.definition()))));
            joinAll(all(guid -> fixture.store.apply(new TaskRequest.Claim(guid, "cell-1"))));

            HistogramSnapshot sizes = batchSizes(fixture);
            assertTrue(sizes.max() <= 4, "largest batch " + sizes.max());
            assertTrue(sizes.count() < 2 * TASKS, "transitions were batched: " + sizes.count() + " transactions");
            for (int i = 0; i < TASKS; i++) {
                assertEquals(TaskState.CLAIMED, fixture.get(guidOf(i)).getState());
            }
            fixture.assertIndexExact();
        }
    }

    /** Calls {@code call} for every task without waiting in between. */
    private static <T> List<CompletableFuture<T>> all(Function<String, CompletableFuture<T>> call) {
        List<CompletableFuture<T>> calls = new ArrayList<>(TASKS);
        for (int i = 0; i < TASKS; i++) {
            calls.add(call.apply(guidOf(i)));
        }
        return calls;
    }

    private static <T> List<T> joinAll(List<CompletableFuture<T>> calls) {
        return calls.stream().map(StoreFixture::join).toList();
    }

    private static HistogramSnapshot batchSizes(StoreFixture fixture) {
        return fixture.registry.get("corkboard.store.batch.size").summary().takeSnapshot();
    }

    private static long conflicts(StoreFixture fixture, Call call) {
        return (long) fixture.registry.get("corkboard.store.conflicts").tag("call", call.verb()).counter().count();
    }

    private static String guidOf(int task) {
        return "batched-" + task;
    }
}
