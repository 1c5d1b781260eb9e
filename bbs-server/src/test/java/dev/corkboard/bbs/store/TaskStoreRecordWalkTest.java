package dev.corkboard.bbs.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corkboard.bbs.state.TaskLifecycle;
import dev.corkboard.bbs.state.TaskRequest;
import dev.corkboard.proto.v1.ExecutorPresence;
import dev.corkboard.proto.v1.Task;
import dev.corkboard.testkit.FixtureExtension;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.PutOption;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Walking every task record page by page with mod revisions, and reading executor presences, on a real etcd. */
class TaskStoreRecordWalkTest {

    @RegisterExtension
    static final FixtureExtension<StoreFixture> store = new FixtureExtension<>(StoreFixture::new);

    private StoreFixture fixture;

    @BeforeEach
    void open() {
        fixture = store.fixture();
    }

    @Test
    void aWalkVisitsEveryRecordOnceInPagesOfTheAskedSizeWithTheirModRevisions() {
        for (int i = 0; i < 7; i++) {
            fixture.desire("t" + i);
        }

        List<RecordPage> pages = walk(3);

        assertEquals(List.of(3, 3, 1), pages.stream().map(page -> page.records().size()).toList());
        List<TaskRecord> records = pages.stream().flatMap(page -> page.records().stream()).toList();
        assertEquals(List.of("t0", "t1", "t2", "t3", "t4", "t5", "t6"), records.stream().map(TaskRecord::guid).toList());
        for (TaskRecord record : records) {
            assertEquals(fixture.modRevision(record.guid()), record.modRevision(), record.guid());
            assertEquals(fixture.get(record.guid()), assertInstanceOf(TaskRecord.Readable.class, record).task());
        }
    }

    @Test
    void aWalkIsOneSnapshotAtItsFirstPagesRevision() {
        fixture.desire("t1");
        fixture.desire("t3");
        RecordPage first = StoreFixture.join(fixture.store.pageRecords(RecordCursor.start(), 1));
        fixture.desire("t2");
        fixture.apply(new TaskRequest.Claim("t3", "cell-1"));

        RecordPage second = StoreFixture.join(fixture.store.pageRecords(first.next().orElseThrow(), 10));

        assertEquals(first.revision(), second.revision());
        assertEquals(List.of("t3"), second.records().stream().map(TaskRecord::guid).toList(),
                "a task desired after the first page is not in the walk");
        Task seen = ((TaskRecord.Readable) second.records().get(0)).task();
        assertEquals("", seen.getExecutorId(), "the walk sees t3 as it was at the first page's revision");
        assertEquals(Optional.empty(), second.next());
    }

    @Test
    void unreadableRecordsAreReportedWithTheirGuidAndModRevisionNotSkipped() {
        fixture.desire("a");
        fixture.putRaw("b", new byte[] {(byte) 0xff, 0x00, 0x13});
        fixture.putRaw("c", Task.newBuilder().setGuid("other").setStateValue(1).build().toByteArray());

        List<TaskRecord> records = walk(10).get(0).records();

        assertInstanceOf(TaskRecord.Readable.class, records.get(0));
        TaskRecord.Unreadable b = assertInstanceOf(TaskRecord.Unreadable.class, records.get(1));
        assertEquals("b", b.guid());
        assertEquals(fixture.modRevision("b"), b.modRevision());
        TaskRecord.Unreadable c = assertInstanceOf(TaskRecord.Unreadable.class, records.get(2));
        assertTrue(c.problem().contains("other"), c.problem());
    }

    @Test
    void aPageTooLargeForTheClientIsServedInSmallerPagesWithoutLosingRecords() {
        String annotation = "x".repeat(10 * 1024);
        for (int i = 0; i < 20; i++) {
            fixture.apply(new TaskRequest.Desire("big" + i, "test-domain", StoreFixture.definition().toBuilder()
                    .setAnnotation(annotation).build()));
        }
        try (Client small = Client.builder().endpoints(store.endpoints().toArray(new String[0]))
                .maxInboundMessageSize(64 * 1024).build()) {
            EtcdTaskStore tasks = new EtcdTaskStore(small, new TaskLifecycle(), Clock.systemUTC(), fixture.settings,
                    new SimpleMeterRegistry());
            List<String> guids = new ArrayList<>();
            RecordPage page = StoreFixture.join(tasks.pageRecords(RecordCursor.start(), 20));
            assertTrue(page.records().size() < 20, "20 records of 10 KiB do not fit in 64 KiB");
            page.records().forEach(record -> guids.add(record.guid()));
            while (page.next().isPresent()) {
                page = StoreFixture.join(tasks.pageRecords(page.next().get(), 20));
                page.records().forEach(record -> guids.add(record.guid()));
            }

            assertEquals(20, guids.size());
            assertEquals(20, Set.copyOf(guids).size());
        }
    }

    @Test
    void anEmptyTableIsOneEmptyPage() {
        List<RecordPage> pages = walk(5);

        assertEquals(1, pages.size());
        assertEquals(List.of(), pages.get(0).records());
    }

    @Test
    void presentExecutorsAreThoseWithAPresenceKeyAndVanishWhenTheirLeaseIsRevoked() {
        long lease = fixture.client.getLeaseClient().grant(30).join().getID();
        putPresence("cell-1", lease);
        putPresence("cell-2", lease);
        ExecutorPresences presences = new ExecutorPresences(fixture.client.getKVClient(), fixture.settings);
        long before = StoreFixture.join(fixture.store.revision());

        assertEquals(Set.of("cell-1", "cell-2"), StoreFixture.join(presences.present(0)));

        fixture.client.getLeaseClient().revoke(lease).join();
        assertEquals(Set.of(), StoreFixture.join(presences.present(0)));
        assertEquals(Set.of("cell-1", "cell-2"), StoreFixture.join(presences.present(before)),
                "presences are readable at the revision of a walk");
    }

    private void putPresence(String executorId, long lease) {
        ByteSequence key = Keys.under(fixture.settings.prefix()).executor(executorId);
        ByteSequence value = ByteSequence.from(ExecutorPresence.newBuilder().setExecutorId(executorId).build()
                .toByteArray());
        fixture.client.getKVClient().put(key, value, PutOption.builder().withLeaseId(lease).build()).join();
    }

    private List<RecordPage> walk(int pageSize) {
        List<RecordPage> pages = new ArrayList<>();
        RecordPage page = StoreFixture.join(fixture.store.pageRecords(RecordCursor.start(), pageSize));
        pages.add(page);
        while (page.next().isPresent()) {
            page = StoreFixture.join(fixture.store.pageRecords(page.next().get(), pageSize));
            pages.add(page);
        }
        return pages;
    }
}
