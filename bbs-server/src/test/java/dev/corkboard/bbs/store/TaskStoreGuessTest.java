package dev.corkboard.bbs.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.corkboard.bbs.state.Call;
import dev.corkboard.bbs.state.TaskError;
import dev.corkboard.bbs.state.TaskException;
import dev.corkboard.bbs.state.TaskRequest;
import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskState;
import dev.corkboard.testkit.FixtureExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A replica decides first on the record it last saw. When another replica has moved the task since, that guess is
 * stale: the write must lose its compare and be decided again, and a no-op or refusal must be confirmed first.
 */
class TaskStoreGuessTest {

    @RegisterExtension
    static final FixtureExtension<StoreFixture> store = new FixtureExtension<>(StoreFixture::new);

    private StoreFixture fixture;
    private EtcdTaskStore here;
    private EtcdTaskStore elsewhere;

    @BeforeEach
    void open() {
        fixture = store.fixture();
        here = fixture.anotherReplica();
        elsewhere = fixture.anotherReplica();
    }

    @Test
    void aWriteDecidedOnAStaleRecordLosesItsCompareAndTheLoserLearnsTheWinner() {
        call(here, new TaskRequest.Desire("t1", "d", StoreFixture.definition()));
        call(elsewhere, new TaskRequest.Claim("t1", "cell-2"));

        TaskError error = assertThrows(TaskException.class,
                () -> call(here, new TaskRequest.Claim("t1", "cell-1"))).error();

        assertEquals(new TaskError.OwnedByAnotherExecutor("t1", "cell-2", "cell-1", Call.CLAIM), error);
        assertEquals("cell-2", fixture.get("t1").getExecutorId());
    }

    @Test
    void aNoOpDecidedOnAStaleRecordIsConfirmedBeforeItIsReported() {
        call(here, new TaskRequest.Desire("t1", "d", StoreFixture.definition()));
        call(here, new TaskRequest.Claim("t1", "cell-1"));
        call(elsewhere, new TaskRequest.Reject("t1", "cell-1", "no room"));

        // "here" still remembers the task as claimed by cell-1, which would make this claim a no-op
        Task claimed = call(here, new TaskRequest.Claim("t1", "cell-1"));

        assertEquals(TaskState.CLAIMED, claimed.getState());
        assertEquals(1, claimed.getRejectionCount(), "the answer reflects the rejection made elsewhere");
        assertEquals(claimed, fixture.get("t1"));
    }

    @Test
    void aRefusalDecidedOnAStaleRecordIsConfirmedBeforeItIsReported() {
        call(here, new TaskRequest.Desire("t1", "d", StoreFixture.definition()));
        call(here, new TaskRequest.Claim("t1", "cell-1"));
        call(elsewhere, new TaskRequest.Complete("t1", "cell-1", false, "", "done"));

        // "here" still remembers the task as claimed, from where resolving would be refused
        Task resolving = call(here, new TaskRequest.Resolving("t1"));

        assertEquals(TaskState.RESOLVING, resolving.getState());
        assertEquals("done", resolving.getResult());
    }

    @Test
    void desiringATaskAnotherReplicaCreatedIsStillIdempotent() {
        Task created = call(elsewhere, new TaskRequest.Desire("t1", "d", StoreFixture.definition()));

        assertEquals(created, call(here, new TaskRequest.Desire("t1", "d", StoreFixture.definition())));
        assertEquals(new TaskError.AlreadyExists("t1"), assertThrows(TaskException.class,
                () -> call(here, new TaskRequest.Desire("t1", "d", StoreFixture.definition("/bin/false")))).error());
    }

    @Test
    void aTaskResolvedElsewhereIsNotFoundHereDespiteTheStaleRecord() {
        call(here, new TaskRequest.Desire("t1", "d", StoreFixture.definition()));
        call(here, new TaskRequest.Cancel("t1"));
        call(elsewhere, new TaskRequest.Resolving("t1"));
        call(elsewhere, new TaskRequest.Resolve("t1"));

        assertEquals(new TaskError.NotFound("t1"), assertThrows(TaskException.class,
                () -> call(here, new TaskRequest.Resolving("t1"))).error());
    }

    private static Task call(EtcdTaskStore replica, TaskRequest request) {
        return StoreFixture.join(replica.apply(request));
    }
}
