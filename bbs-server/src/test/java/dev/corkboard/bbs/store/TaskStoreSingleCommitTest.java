package dev.corkboard.bbs.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corkboard.bbs.state.Call;
import dev.corkboard.bbs.state.TaskError;
import dev.corkboard.bbs.state.TaskException;
import dev.corkboard.bbs.state.TaskRequest;
import dev.corkboard.proto.v1.TaskState;
import dev.corkboard.testkit.FixtureExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** With batching off, each transition is a transaction of its own; races still have one winner that losers name. */
class TaskStoreSingleCommitTest {

    private static final int TASKS = 20;

    @RegisterExtension
    static final FixtureExtension<StoreFixture> store = new FixtureExtension<>(
            endpoints -> new StoreFixture(endpoints, StoreFixture.settings().withTransitionBatch(1)));

    @Test
    void concurrentTransitionsTakeOneTransactionEach() {
        StoreFixture fixture = store.fixture();
        long before = fixture.join(fixture.store.revision());
        List<CompletableFuture<?>> desires = new ArrayList<>();
        for (int i = 0; i < TASKS; i++) {
            desires.add(fixture.store.apply(new TaskRequest.Desire("single-" + i, "d", StoreFixture.definition())));
        }
        desires.forEach(CompletableFuture::join);

        assertEquals(TASKS, fixture.join(fixture.store.revision()) - before);
        assertTrue(fixture.registry.find("corkboard.store.batch.size").summaries().stream()
                .allMatch(sizes -> sizes.count() == 0), "nothing was batched");
    }

    @Test
    void aClaimDecidedOnAStaleRecordLosesToTheWinnerAndNamesIt() {
        StoreFixture fixture = store.fixture();
        fixture.desire("t1");
        fixture.join(fixture.anotherReplica().apply(new TaskRequest.Claim("t1", "cell-9")));

        TaskException refusal = assertThrows(TaskException.class,
                () -> fixture.apply(new TaskRequest.Claim("t1", "cell-1")));

        assertEquals(new TaskError.OwnedByAnotherExecutor("t1", "cell-9", "cell-1", Call.CLAIM), refusal.error());
        assertEquals(1, fixture.counter("corkboard.store.conflicts"));
        assertEquals(TaskState.CLAIMED, fixture.get("t1").getState());
    }
}
