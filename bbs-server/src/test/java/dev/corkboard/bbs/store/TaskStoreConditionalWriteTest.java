package dev.corkboard.bbs.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corkboard.bbs.state.Call;
import dev.corkboard.bbs.state.TaskError;
import dev.corkboard.bbs.state.TaskRequest;
import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskState;
import dev.corkboard.testkit.FixtureExtension;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.options.PutOption;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The converger's conditional, fenced writes on a real etcd: they land only on an unchanged record under a fence. */
class TaskStoreConditionalWriteTest {

    @RegisterExtension
    static final FixtureExtension<StoreFixture> store = new FixtureExtension<>(StoreFixture::new);

    private StoreFixture fixture;
    private ByteSequence electionKey;

    @BeforeEach
    void open() {
        fixture = store.fixture();
        electionKey = ByteSequence.from(fixture.settings.prefix() + "/election/converger/1f", StandardCharsets.UTF_8);
    }

    @Test
    void demotingAnUnchangedClaimLandsAndMovesItsIndexKeys() {
        fixture.desire("t1", "builds");
        fixture.apply(new TaskRequest.Claim("t1", "cell-1"));

        ConditionalOutcome outcome = applyUnfenced(new TaskRequest.DemoteClaim("t1"), fixture.readable("t1"));

        Task written = assertInstanceOf(ConditionalOutcome.Written.class, outcome).task();
        assertEquals(TaskState.PENDING, written.getState());
        assertEquals(written, fixture.get("t1"));
        assertEquals(Set.of("/index/state/PENDING/builds/t1"), fixture.indexKeys());
    }

    @Test
    void aWriteDecidedOnARecordThatHasSinceMovedIsLostAndChangesNothing() {
        fixture.desire("t1");
        fixture.apply(new TaskRequest.Claim("t1", "cell-1"));
        TaskRecord.Readable read = fixture.readable("t1");
        Task started = fixture.apply(new TaskRequest.Start("t1", "cell-1", "c-1"));
        long revision = fixture.modRevision("t1");

        ConditionalOutcome outcome = applyUnfenced(new TaskRequest.DemoteClaim("t1"), read);

        assertInstanceOf(ConditionalOutcome.Lost.class, outcome);
        assertEquals(started, fixture.get("t1"));
        assertEquals(revision, fixture.modRevision("t1"));
    }

    @Test
    void aWriteOnARecordRemovedSinceItWasReadIsLost() {
        fixture.desire("t1");
        TaskRecord.Readable read = fixture.readable("t1");
        fixture.apply(new TaskRequest.Cancel("t1"));
        fixture.apply(new TaskRequest.Resolving("t1"));
        fixture.apply(new TaskRequest.Resolve("t1"));

        assertInstanceOf(ConditionalOutcome.Lost.class, applyUnfenced(new TaskRequest.Kick("t1"), read));
        assertEquals(0, fixture.modRevision("t1"), "a lost kick must not bring a resolved task back");
    }

    @Test
    void aWriteUnderAHeldFenceLands() {
        long created = putElectionKey();
        fixture.desire("t1");

        ConditionalOutcome outcome = StoreFixture.join(fixture.store.applyIfUnchanged(new TaskRequest.Kick("t1"),
                fixture.readable("t1"), Fence.electionKey(electionKey, created)));

        assertInstanceOf(ConditionalOutcome.Written.class, outcome);
    }

    @Test
    void aWriteWhoseElectionKeyIsGoneIsDeposedAndChangesNothing() {
        long created = putElectionKey();
        fixture.desire("t1");
        long revision = fixture.modRevision("t1");
        fixture.client.getKVClient().delete(electionKey).join();

        ConditionalOutcome outcome = StoreFixture.join(fixture.store.applyIfUnchanged(
                new TaskRequest.Fail("t1", "not claimed within time limit"), fixture.readable("t1"),
                Fence.electionKey(electionKey, created)));

        assertInstanceOf(ConditionalOutcome.Deposed.class, outcome);
        assertEquals(revision, fixture.modRevision("t1"));
    }

    @Test
    void aWriteWhoseElectionKeyWasRecreatedByAnotherLeaderIsDeposed() {
        long created = putElectionKey();
        fixture.client.getKVClient().delete(electionKey).join();
        putElectionKey();
        fixture.desire("t1");

        ConditionalOutcome outcome = StoreFixture.join(fixture.store.applyIfUnchanged(new TaskRequest.Kick("t1"),
                fixture.readable("t1"), Fence.electionKey(electionKey, created)));

        assertInstanceOf(ConditionalOutcome.Deposed.class, outcome);
    }

    @Test
    void aDeposedWriterIsToldSoEvenWhenTheRecordAlsoMoved() {
        long created = putElectionKey();
        fixture.desire("t1");
        TaskRecord.Readable read = fixture.readable("t1");
        fixture.apply(new TaskRequest.Claim("t1", "cell-1"));
        fixture.client.getKVClient().delete(electionKey).join();

        ConditionalOutcome outcome = StoreFixture.join(fixture.store.applyIfUnchanged(new TaskRequest.Kick("t1"), read,
                Fence.electionKey(electionKey, created)));

        // stepping down matters more than the lost race: the else branch reads the fence, not the record
        assertInstanceOf(ConditionalOutcome.Deposed.class, outcome);
    }

    @Test
    void expiringACompletedTaskDeletesItsRecordAndIndexKeys() {
        fixture.desire("t1", "builds");
        fixture.apply(new TaskRequest.Claim("t1", "cell-1"));
        fixture.apply(new TaskRequest.Complete("t1", "cell-1", false, "", "ok"));
        Task completed = fixture.get("t1");

        ConditionalOutcome outcome = applyUnfenced(new TaskRequest.Expire("t1"), fixture.readable("t1"));

        assertEquals(new ConditionalOutcome.Removed(Optional.of(completed)), outcome);
        assertEquals(0, fixture.modRevision("t1"));
        assertEquals(Set.of(), fixture.indexKeys());
    }

    @Test
    void aRequestIllegalOnTheRecordAsReadIsRefusedWithoutWriting() {
        fixture.desire("t1");
        long revision = fixture.modRevision("t1");

        ConditionalOutcome outcome = applyUnfenced(new TaskRequest.DemoteResolving("t1"), fixture.readable("t1"));

        assertEquals(new ConditionalOutcome.Refused(new TaskError.InvalidTransition("t1", TaskState.PENDING,
                "COMPLETED", Call.DEMOTE_RESOLVING)), outcome);
        assertEquals(revision, fixture.modRevision("t1"));
    }

    @Test
    void aRequestForAnotherTaskThanTheRecordIsAProgrammingError() {
        fixture.desire("t1");

        assertThrows(IllegalArgumentException.class,
                () -> fixture.store.applyIfUnchanged(new TaskRequest.Kick("t2"), fixture.readable("t1"), Fence.none()));
    }

    @Test
    void pruningAnUnchangedUnreadableRecordDeletesIt() {
        fixture.putRaw("junk", new byte[] {(byte) 0xff, 0x01});
        TaskRecord.Unreadable junk = new TaskRecord.Unreadable("junk", fixture.modRevision("junk"), "test");

        ConditionalOutcome outcome = StoreFixture.join(fixture.store.pruneIfUnchanged(junk, Fence.none()));

        assertEquals(new ConditionalOutcome.Removed(Optional.empty()), outcome);
        assertEquals(0, fixture.modRevision("junk"));
    }

    @Test
    void pruningARecordRewrittenSinceItWasReadIsLost() {
        fixture.putRaw("junk", new byte[] {(byte) 0xff, 0x01});
        TaskRecord.Unreadable junk = new TaskRecord.Unreadable("junk", fixture.modRevision("junk"), "test");
        fixture.putRaw("junk", new byte[] {(byte) 0xff, 0x02});

        ConditionalOutcome outcome = StoreFixture.join(fixture.store.pruneIfUnchanged(junk, Fence.none()));

        assertInstanceOf(ConditionalOutcome.Lost.class, outcome);
        assertTrue(fixture.modRevision("junk") > junk.modRevision(), "the rewritten record must stay");
    }

    private ConditionalOutcome applyUnfenced(TaskRequest request, TaskRecord.Readable read) {
        return StoreFixture.join(fixture.store.applyIfUnchanged(request, read, Fence.none()));
    }

    /** Puts the election key as etcd's election API would; returns its create revision. */
    private long putElectionKey() {
        fixture.client.getKVClient().put(electionKey, ByteSequence.from("converger-1", StandardCharsets.UTF_8),
                PutOption.DEFAULT).join();
        return fixture.client.getKVClient().get(electionKey).join().getKvs().get(0).getCreateRevision();
    }
}
