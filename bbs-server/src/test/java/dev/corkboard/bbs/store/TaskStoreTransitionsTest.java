package dev.corkboard.bbs.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corkboard.bbs.state.Call;
import dev.corkboard.bbs.state.TaskError;
import dev.corkboard.bbs.state.TaskException;
import dev.corkboard.bbs.state.TaskLifecycle;
import dev.corkboard.bbs.state.TaskRequest;
import dev.corkboard.proto.v1.Resources;
import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskDefinition;
import dev.corkboard.proto.v1.TaskState;
import dev.corkboard.testkit.FixtureExtension;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class TaskStoreTransitionsTest {

    @RegisterExtension
    static final FixtureExtension<StoreFixture> store = new FixtureExtension<>(StoreFixture::new);

    private StoreFixture fixture;

    @BeforeEach
    void open() {
        fixture = store.fixture();
    }

    @Test
    void desireStoresAPendingTaskIndexedByStateAndDomain() {
        Task task = fixture.desire("t1", "builds");

        assertEquals(TaskState.PENDING, task.getState());
        assertEquals(task, fixture.get("t1"));
        assertEquals(Set.of("/index/state/PENDING/builds/t1"), fixture.indexKeys());
    }

    @Test
    void desiringAgainWithTheSameDefinitionSucceedsWithoutWriting() throws Exception {
        Task first = fixture.desire("t1");
        long revision = StoreFixture.join(fixture.store.revision());

        Task again = fixture.desire("t1");

        assertEquals(first, again);
        assertEquals(revision, StoreFixture.join(fixture.store.revision()), "an idempotent repeat must not write");
    }

    @Test
    void desiringAgainWithAnotherDefinitionIsRefusedAsAlreadyExists() {
        fixture.desire("t1");

        TaskError error = refusal(new TaskRequest.Desire("t1", "test-domain", StoreFixture.definition("/bin/false")));

        assertEquals(new TaskError.AlreadyExists("t1"), error);
        assertEquals("/bin/true", fixture.get("t1").getDefinition().getCommand().getPath());
    }

    @Test
    void aFullLifecycleMovesTheIndexKeysAndResolveRemovesEverything() {
        fixture.desire("t1", "builds");
        fixture.apply(new TaskRequest.Claim("t1", "cell-1"));
        assertEquals(Set.of("/index/state/CLAIMED/builds/t1", "/index/executor/cell-1/t1"), fixture.indexKeys());

        Task running = fixture.apply(new TaskRequest.Start("t1", "cell-1", "container-1"));
        assertEquals("container-1", running.getContainerHandle());
        assertEquals(Set.of("/index/state/RUNNING/builds/t1", "/index/executor/cell-1/t1"), fixture.indexKeys());

        Task completed = fixture.apply(new TaskRequest.Complete("t1", "cell-1", false, "", "42"));
        assertEquals("42", completed.getResult());
        fixture.assertIndexExact();

        fixture.apply(new TaskRequest.Resolving("t1"));
        assertEquals(Set.of("/index/state/RESOLVING/builds/t1", "/index/executor/cell-1/t1"), fixture.indexKeys());

        Task removed = fixture.apply(new TaskRequest.Resolve("t1"));
        assertEquals(TaskState.RESOLVING, removed.getState());
        assertEquals(Set.of(), fixture.indexKeys());
        assertEquals(new TaskError.NotFound("t1"), assertThrows(TaskException.class, () -> fixture.get("t1")).error());
    }

    @Test
    void claimingATaskAnotherExecutorHoldsIsRefusedNamingTheOwner() {
        fixture.desire("t1");
        fixture.apply(new TaskRequest.Claim("t1", "cell-1"));

        TaskError error = refusal(new TaskRequest.Claim("t1", "cell-2"));

        assertEquals(new TaskError.OwnedByAnotherExecutor("t1", "cell-1", "cell-2", Call.CLAIM), error);
    }

    @Test
    void claimingAgainByTheSameExecutorIsANoOpSuccess() {
        fixture.desire("t1");
        Task claimed = fixture.apply(new TaskRequest.Claim("t1", "cell-1"));

        assertEquals(claimed, fixture.apply(new TaskRequest.Claim("t1", "cell-1")));
    }

    @Test
    void completingFromAnotherExecutorIsRefusedAndChangesNothing() {
        fixture.desire("t1");
        fixture.apply(new TaskRequest.Claim("t1", "cell-1"));
        Task running = fixture.apply(new TaskRequest.Start("t1", "cell-1", "c"));

        TaskError error = refusal(new TaskRequest.Complete("t1", "cell-2", true, "boom", ""));

        assertEquals(new TaskError.OwnedByAnotherExecutor("t1", "cell-1", "cell-2", Call.COMPLETE), error);
        assertEquals(running, fixture.get("t1"));
    }

    @Test
    void completingAgainWithTheSameOutcomeIsANoOpSuccess() {
        fixture.desire("t1");
        fixture.apply(new TaskRequest.Claim("t1", "cell-1"));
        Task completed = fixture.apply(new TaskRequest.Complete("t1", "cell-1", true, "exit status 1", ""));

        assertEquals(completed, fixture.apply(new TaskRequest.Complete("t1", "cell-1", true, "exit status 1", "")));
    }

    @Test
    void aRejectedTaskReturnsToPendingUntilTheRetryLimitThenFails() {
        fixture.desire("t1", "builds");
        for (int rejection = 1; rejection <= TaskLifecycle.DEFAULT_MAX_REJECTIONS; rejection++) {
            fixture.apply(new TaskRequest.Claim("t1", "cell-1"));
            Task pending = fixture.apply(new TaskRequest.Reject("t1", "cell-1", "no room"));
            assertEquals(TaskState.PENDING, pending.getState());
            assertEquals(rejection, pending.getRejectionCount());
            assertEquals(Set.of("/index/state/PENDING/builds/t1"), fixture.indexKeys());
        }
        fixture.apply(new TaskRequest.Claim("t1", "cell-1"));

        Task failed = fixture.apply(new TaskRequest.Reject("t1", "cell-1", "no room"));

        assertEquals(TaskState.COMPLETED, failed.getState());
        assertTrue(failed.getFailed());
        assertEquals("no room", failed.getFailureReason());
    }

    @Test
    void cancellingARunningTaskCompletesItFailedAndKeepsItOnItsExecutor() {
        fixture.desire("t1", "builds");
        fixture.apply(new TaskRequest.Claim("t1", "cell-1"));
        fixture.apply(new TaskRequest.Start("t1", "cell-1", "c"));

        Task cancelled = fixture.apply(new TaskRequest.Cancel("t1"));

        assertEquals(TaskState.COMPLETED, cancelled.getState());
        assertEquals(TaskLifecycle.CANCELLED_REASON, cancelled.getFailureReason());
        assertEquals(Set.of("/index/state/COMPLETED/builds/t1", "/index/executor/cell-1/t1"), fixture.indexKeys());
    }

    @Test
    void failingAPendingTaskRecordsTheReason() {
        fixture.desire("t1");

        Task failed = fixture.apply(new TaskRequest.Fail("t1", "not claimed within time limit"));

        assertEquals(TaskState.COMPLETED, failed.getState());
        assertEquals("not claimed within time limit", failed.getFailureReason());
    }

    @Test
    void onlyOneResolvingSucceedsAndTheNextIsRefusedNamingBothStates() {
        fixture.desire("t1");
        fixture.apply(new TaskRequest.Cancel("t1"));
        fixture.apply(new TaskRequest.Resolving("t1"));

        TaskError error = refusal(new TaskRequest.Resolving("t1"));

        assertEquals(new TaskError.InvalidTransition("t1", TaskState.RESOLVING, "RESOLVING", Call.RESOLVING), error);
        assertTrue(error.message().contains("RESOLVING"));
    }

    @Test
    void resolveOfATaskThatIsNotResolvingIsRefusedAndKeepsTheRecord() {
        fixture.desire("t1");
        fixture.apply(new TaskRequest.Cancel("t1"));

        TaskError error = refusal(new TaskRequest.Resolve("t1"));

        assertEquals(new TaskError.InvalidTransition("t1", TaskState.COMPLETED, "REMOVED", Call.RESOLVE), error);
        assertEquals(TaskState.COMPLETED, fixture.get("t1").getState());
    }

    @Test
    void everyCallButDesireOnAMissingTaskIsNotFound() {
        List<TaskRequest> calls = List.of(new TaskRequest.Claim("nope", "cell-1"),
                new TaskRequest.Start("nope", "cell-1", "c"), new TaskRequest.Reject("nope", "cell-1", "r"),
                new TaskRequest.Complete("nope", "cell-1", false, "", ""), new TaskRequest.Cancel("nope"),
                new TaskRequest.Fail("nope", "r"), new TaskRequest.Resolving("nope"), new TaskRequest.Resolve("nope"));
        for (TaskRequest call : calls) {
            assertEquals(new TaskError.NotFound("nope"), refusal(call), call.toString());
        }
        assertEquals(Set.of(), fixture.indexKeys());
    }

    @Test
    void invalidRequestsNameTheFieldAndWriteNothing() {
        TaskDefinition negative = StoreFixture.definition().toBuilder()
                .setResources(Resources.newBuilder().setMemoryMb(-1)).build();
        TaskDefinition oversized = StoreFixture.definition().toBuilder()
                .setRootFs("x".repeat(300 * 1024)).build();

        assertEquals("guid", invalidField(new TaskRequest.Desire("a/b", "d", StoreFixture.definition())));
        assertEquals("domain", invalidField(new TaskRequest.Desire("t1", "", StoreFixture.definition())));
        assertEquals("definition.resources.memory_mb", invalidField(new TaskRequest.Desire("t1", "d", negative)));
        assertEquals("definition", invalidField(new TaskRequest.Desire("t1", "d", oversized)));
        assertEquals("executor_id", invalidField(new TaskRequest.Claim("t1", "")));
        assertEquals(0, StoreFixture.join(fixture.store.list(TaskFilter.all(), 0, java.util.Optional.empty()))
                .tasks().size());
    }

    @Test
    void anUnparseableRecordIsReportedAsCorruptAndCounted() {
        fixture.putRaw("bad", new byte[] {(byte) 0xff, 0x01, 0x02});

        TaskError onGet = assertThrows(TaskException.class, () -> fixture.get("bad")).error();
        TaskError onClaim = refusal(new TaskRequest.Claim("bad", "cell-1"));

        assertInstanceOf(TaskError.CorruptRecord.class, onGet);
        assertEquals("bad", ((TaskError.CorruptRecord) onGet).guid());
        assertInstanceOf(TaskError.CorruptRecord.class, onClaim);
        assertTrue(fixture.counter("corkboard.store.records.unparseable") >= 2);
        fixture.client.getKVClient().delete(fixture.keys.task("bad")).join();
    }

    @Test
    void aRecordWithAnUnknownStateIsCorruptNotServed() {
        fixture.putRaw("odd", Task.newBuilder().setGuid("odd").setDomain("d").build().toByteArray());

        assertInstanceOf(TaskError.CorruptRecord.class,
                assertThrows(TaskException.class, () -> fixture.get("odd")).error());
        fixture.client.getKVClient().delete(fixture.keys.task("odd")).join();
    }

    @Test
    void transitionsAreCountedByCallAndOutcome() {
        fixture.desire("t1");
        fixture.desire("t1");
        refusal(new TaskRequest.Resolve("t1"));

        assertEquals(1.0, fixture.registry.get("corkboard.store.transitions").tags("call", "desire", "outcome",
                "applied").counter().count());
        assertEquals(1.0, fixture.registry.get("corkboard.store.transitions").tags("call", "desire", "outcome",
                "unchanged").counter().count());
        assertEquals(1.0, fixture.registry.get("corkboard.store.transitions").tags("call", "resolve", "outcome",
                "refused").counter().count());
        assertFalse(fixture.registry.get("corkboard.store.conflicts").counters().isEmpty());
    }

    private TaskError refusal(TaskRequest request) {
        return assertThrows(TaskException.class, () -> fixture.apply(request)).error();
    }

    private String invalidField(TaskRequest request) {
        return assertInstanceOf(TaskError.InvalidRequest.class, refusal(request)).field();
    }
}
