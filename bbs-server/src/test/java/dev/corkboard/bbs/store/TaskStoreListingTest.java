package dev.corkboard.bbs.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corkboard.bbs.state.TaskError;
import dev.corkboard.bbs.state.TaskException;
import dev.corkboard.bbs.state.TaskRequest;
import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskState;
import dev.corkboard.testkit.FixtureExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class TaskStoreListingTest {

    @RegisterExtension
    static final FixtureExtension<StoreFixture> store = new FixtureExtension<>(StoreFixture::new);

    private StoreFixture fixture;

    @BeforeEach
    void open() {
        fixture = store.fixture();
    }

    @Test
    void listingAStateReturnsExactlyTheTasksInThatState() {
        desire("builds", "p1", "p2", "p3", "c1", "c2");
        claim("cell-1", "c1", "c2");

        assertEquals(List.of("p1", "p2", "p3"), guids(all(TaskFilter.inState(TaskState.PENDING))));
        assertEquals(List.of("c1", "c2"), guids(all(TaskFilter.inState(TaskState.CLAIMED))));
        assertEquals(List.of(), guids(all(TaskFilter.inState(TaskState.RUNNING))));
    }

    @Test
    void pagesWalkEveryTaskOnceInPagesOfTheAskedSize() {
        desire("builds", IntStream.range(0, 25).mapToObj(i -> String.format("t%02d", i)).toArray(String[]::new));

        List<Integer> sizes = new ArrayList<>();
        List<Task> seen = new ArrayList<>();
        Optional<String> token = Optional.empty();
        do {
            TaskPage page = page(TaskFilter.inState(TaskState.PENDING), 10, token);
            sizes.add(page.tasks().size());
            seen.addAll(page.tasks());
            token = page.nextPageToken();
        } while (token.isPresent());

        assertEquals(List.of(10, 10, 5), sizes);
        assertEquals(25, seen.stream().map(Task::getGuid).distinct().count());
    }

    @Test
    void laterPagesReadTheSameSnapshotAsTheFirst() {
        desire("builds", "a", "b", "c", "d");
        TaskPage first = page(TaskFilter.inState(TaskState.PENDING), 2, Optional.empty());
        assertEquals(List.of("a", "b"), guids(first.tasks()));

        fixture.apply(new TaskRequest.Claim("c", "cell-1"));
        fixture.desire("e", "builds");
        TaskPage second = page(TaskFilter.inState(TaskState.PENDING), 2, first.nextPageToken());

        assertEquals(List.of("c", "d"), guids(second.tasks()), "page two is read at page one's revision");
        assertEquals(TaskState.PENDING, second.tasks().get(0).getState());
        assertEquals(first.revision(), second.revision());
    }

    @Test
    void aDomainListingWalksEveryStateOfThatDomainOnly() {
        desire("builds", "b1", "b2", "b3", "b4");
        desire("tests", "x1", "x2");
        claim("cell-1", "b2", "x1");
        fixture.apply(new TaskRequest.Cancel("b3"));

        List<Task> builds = allInPagesOf(TaskFilter.all().withDomain("builds"), 1);

        assertEquals(List.of("b1", "b4", "b2", "b3"), guids(builds), "lifecycle order: pending, claimed, completed");
        assertEquals(List.of("b2"), guids(all(TaskFilter.inState(TaskState.CLAIMED).withDomain("builds"))));
    }

    @Test
    void anExecutorListingReturnsItsTasksAndNarrowsByState() {
        desire("builds", "a", "b", "c", "d");
        claim("cell-1", "a", "b");
        claim("cell-2", "c");
        fixture.apply(new TaskRequest.Start("b", "cell-1", "container-b"));

        assertEquals(List.of("a", "b"), guids(all(TaskFilter.all().withExecutor("cell-1"))));
        assertEquals(List.of("b"), guids(all(TaskFilter.inState(TaskState.RUNNING).withExecutor("cell-1"))));
        assertEquals(List.of("c"), guids(all(TaskFilter.all().withExecutor("cell-2"))));
    }

    @Test
    void anUnfilteredListingReturnsEveryTaskInGuidOrder() {
        desire("builds", "m", "a");
        desire("tests", "z");

        assertEquals(List.of("a", "m", "z"), guids(allInPagesOf(TaskFilter.all(), 2)));
    }

    @Test
    void anUnparseableRecordIsLeftOutOfListingsAndCounted() {
        desire("builds", "a", "c");
        fixture.putRaw("b", new byte[] {(byte) 0xff, 0x07});

        assertEquals(List.of("a", "c"), guids(all(TaskFilter.all())));
        assertEquals(1, fixture.counter("corkboard.store.records.unparseable"));
    }

    @Test
    void badListingArgumentsAreRefusedNamingTheField() {
        desire("builds", "a", "b");
        String token = page(TaskFilter.inState(TaskState.PENDING), 1, Optional.empty()).nextPageToken().orElseThrow();

        assertEquals("page_size", invalidField(TaskFilter.all(), 5000, Optional.empty()));
        assertEquals("page_size", invalidField(TaskFilter.all(), -1, Optional.empty()));
        assertEquals("state", invalidField(TaskFilter.inState(TaskState.TASK_STATE_UNSPECIFIED), 0, Optional.empty()));
        assertEquals("domain", invalidField(TaskFilter.all().withDomain("a/b"), 0, Optional.empty()));
        assertEquals("executor_id", invalidField(TaskFilter.all().withExecutor("x y"), 0, Optional.empty()));
        assertEquals("page_token", invalidField(TaskFilter.all(), 0, Optional.of("not-a-token")));
        assertEquals("page_token", invalidField(TaskFilter.inState(TaskState.CLAIMED), 1, Optional.of(token)),
                "a token only continues the listing that issued it");
    }

    @Test
    void aPageTokenExpiresOnceItsRevisionIsCompacted() {
        desire("builds", "a", "b", "c");
        TaskPage first = page(TaskFilter.all(), 1, Optional.empty());
        fixture.desire("d", "builds");
        fixture.client.getKVClient().compact(StoreFixture.join(fixture.store.revision())).join();

        TaskError error = assertThrows(TaskException.class,
                () -> page(TaskFilter.all(), 1, first.nextPageToken())).error();

        TaskError.InvalidRequest invalid = assertInstanceOf(TaskError.InvalidRequest.class, error);
        assertEquals("page_token", invalid.field());
        assertTrue(invalid.problem().contains("compacted"), invalid.problem());
    }

    private void desire(String domain, String... guids) {
        for (String guid : guids) {
            fixture.desire(guid, domain);
        }
    }

    private void claim(String executor, String... guids) {
        for (String guid : guids) {
            fixture.apply(new TaskRequest.Claim(guid, executor));
        }
    }

    private TaskPage page(TaskFilter filter, int size, Optional<String> token) {
        return StoreFixture.join(fixture.store.list(filter, size, token));
    }

    private List<Task> all(TaskFilter filter) {
        TaskPage page = page(filter, 1000, Optional.empty());
        assertEquals(Optional.empty(), page.nextPageToken());
        return page.tasks();
    }

    private List<Task> allInPagesOf(TaskFilter filter, int size) {
        List<Task> tasks = new ArrayList<>();
        Optional<String> token = Optional.empty();
        do {
            TaskPage page = page(filter, size, token);
            assertTrue(page.tasks().size() <= size);
            tasks.addAll(page.tasks());
            token = page.nextPageToken();
        } while (token.isPresent());
        return tasks;
    }

    private String invalidField(TaskFilter filter, int size, Optional<String> token) {
        TaskError error = assertThrows(TaskException.class, () -> page(filter, size, token)).error();
        return assertInstanceOf(TaskError.InvalidRequest.class, error).field();
    }

    private static List<String> guids(List<Task> tasks) {
        return tasks.stream().map(Task::getGuid).toList();
    }
}
