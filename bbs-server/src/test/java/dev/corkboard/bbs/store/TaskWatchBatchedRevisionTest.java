package dev.corkboard.bbs.store;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corkboard.bbs.state.TaskRequest;
import dev.corkboard.proto.v1.TaskEvent;
import dev.corkboard.testkit.FixtureExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A batched transaction changes several tasks at one revision: watchers see each of them, also across a resume. */
class TaskWatchBatchedRevisionTest {

    private static final int TASKS = 40;

    @RegisterExtension
    static final FixtureExtension<StoreFixture> store = new FixtureExtension<>(
            endpoints -> new StoreFixture(endpoints, StoreFixture.settings().withBatchesInFlight(1)));

    @Test
    void aWatcherSeesEveryTaskChangedAtOneRevision() {
        StoreFixture fixture = store.fixture();
        RecordingSink sink = new RecordingSink();
        try (TaskWatch watch = fixture.store.watch(0, sink, 1000)) {
            desireAll(fixture);

            await().until(() -> sink.events.size() == TASKS);
            assertEquals(allGuids(), createdGuids(sink.events));
            Set<Long> revisions = sink.events.stream().map(TaskEvent::getRevision).collect(Collectors.toSet());
            assertTrue(revisions.size() < TASKS, "tasks shared revisions: " + revisions.size() + " for " + TASKS);
            long last = sink.events.get(TASKS - 1).getRevision();
            await().until(() -> watch.lastRevision() == last);
        }
    }

    @Test
    void aConsumerCutOffInsideARevisionResumesWithTheRestOfIt() {
        StoreFixture fixture = store.fixture();
        long start = fixture.join(fixture.store.revision());
        desireAll(fixture);
        Map<Long, List<String>> byRevision = allGuids().stream()
                .collect(Collectors.groupingBy(fixture::modRevision));
        long shared = byRevision.entrySet().stream().filter(entry -> entry.getValue().size() > 1)
                .mapToLong(Map.Entry::getKey).min().orElseThrow(() -> new AssertionError("no batch: " + byRevision));

        RecordingSink first = new RecordingSink();
        AtomicReference<TaskWatch> firstWatch = new AtomicReference<>();
        long resumeAfter;
        try (TaskWatch watch = fixture.store.watch(start, new ClosingAt(shared, first, firstWatch), 1000)) {
            firstWatch.set(watch);
            await().until(() -> first.closed.get() != null);
            resumeAfter = watch.lastRevision();
        }
        assertTrue(resumeAfter < shared, "the shared revision is not complete: " + resumeAfter + " < " + shared);

        RecordingSink resumed = new RecordingSink();
        try (TaskWatch watch = fixture.store.watch(resumeAfter, resumed, 1000)) {
            Set<String> seen = new TreeSet<>();
            await().untilAsserted(() -> {
                seen.clear();
                seen.addAll(createdGuids(first.events));
                seen.addAll(createdGuids(resumed.events));
                assertEquals(allGuids(), seen);
            });
            assertTrue(createdGuids(resumed.events).containsAll(byRevision.get(shared)),
                    "the whole shared revision is delivered again");
        }
    }

    /** Hands events on, and closes the watch right after handling the first one at {@code revision}. */
    private record ClosingAt(long revision, RecordingSink handled, AtomicReference<TaskWatch> watch)
            implements TaskEventSink {
        @Override
        public void onEvent(TaskEvent event) {
            handled.onEvent(event);
            if (event.getRevision() == revision) {
                while (watch.get() == null) {
                    Thread.onSpinWait(); // the test thread sets it as soon as watch() returns
                }
                watch.get().close();
            }
        }

        @Override
        public void onClosed(Optional<Throwable> cause) {
            handled.onClosed(cause);
        }
    }

    private static void desireAll(StoreFixture fixture) {
        List<CompletableFuture<?>> calls = new ArrayList<>();
        for (String guid : allGuids()) {
            calls.add(fixture.store.apply(new TaskRequest.Desire(guid, "batch", StoreFixture.definition())));
        }
        calls.forEach(CompletableFuture::join);
    }

    private static Set<String> allGuids() {
        Set<String> guids = new TreeSet<>();
        for (int i = 0; i < TASKS; i++) {
            guids.add("watched-" + i);
        }
        return guids;
    }

    private static Set<String> createdGuids(List<TaskEvent> events) {
        return events.stream().map(event -> event.getCreated().getTask().getGuid())
                .collect(Collectors.toCollection(TreeSet::new));
    }
}
