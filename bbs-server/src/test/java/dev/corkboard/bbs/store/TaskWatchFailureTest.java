package dev.corkboard.bbs.store;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corkboard.bbs.state.TaskRequest;
import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskEvent;
import dev.corkboard.testkit.EtcdCluster;
import dev.corkboard.testkit.EtcdMember;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The watch across an etcd restart and across a compaction it missed: every change seen exactly once. */
class TaskWatchFailureTest {

    @Test
    void aWatchResumesAfterAnEtcdRestartWithoutLosingOrRepeatingAChange() {
        try (EtcdCluster cluster = EtcdCluster.single();
                StoreFixture fixture = new StoreFixture(cluster.clientEndpoints())) {
            RecordingSink sink = new RecordingSink();
            try (TaskWatch watch = fixture.store.watch(0, sink, 1000)) {
                fixture.desire("before-restart");
                await().until(() -> sink.events.size() == 1);

                cluster.member(0).restart();
                // the first call after the restart may meet a half-open connection: retry until etcd answers
                await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                        .until(() -> fixture.desire("after-restart") != null);
                fixture.apply(new TaskRequest.Claim("after-restart", "cell-1"));

                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertEquals(List.of(
                        "created before-restart PENDING", "created after-restart PENDING",
                        "changed after-restart PENDING->CLAIMED"), sink.summary()));
                assertNoEventTwice(sink.events);
            }
        }
    }

    @Test
    void aWatchThatMissedACompactionReportsTheNetChangeOnceAndCarriesOn() {
        try (EtcdCluster cluster = EtcdCluster.of(3)) {
            // watch through a follower: losing it costs no leader election, so the other two keep answering at once
            EtcdMember leader = cluster.leader();
            EtcdMember watched = cluster.members().stream().filter(m -> m != leader).findFirst().orElseThrow();
            List<String> others = cluster.members().stream().filter(m -> m != watched)
                    .map(EtcdMember::clientEndpoint).toList();
            try (StoreFixture viaWatched = new StoreFixture(List.of(watched.clientEndpoint()));
                    StoreFixture viaOthers = viaWatched.sharingPrefixThrough(others)) {
                viaOthers.desire("kept");
                viaOthers.desire("changed");
                viaOthers.desire("removed");
                viaOthers.apply(new TaskRequest.Cancel("removed"));
                viaOthers.apply(new TaskRequest.Resolving("removed"));

                RecordingSink sink = new RecordingSink();
                try (TaskWatch watch = viaWatched.store.watch(0, sink, 1000)) {
                    await().until(() -> watch.lastRevision() > 0);
                    viaOthers.desire("seen-live");
                    await().until(() -> sink.events.size() == 1);

                    // the watch's only member goes away; the cluster moves on and compacts what it missed
                    watched.kill();
                    // a loaded machine may answer late just after a member dies: retry (repeating a claim is a no-op)
                    await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                            .until(() -> viaOthers.apply(new TaskRequest.Claim("changed", "cell-1")) != null);
                    viaOthers.apply(new TaskRequest.Resolve("removed"));
                    viaOthers.desire("created");
                    long compactAt = StoreFixture.join(viaOthers.store.revision());
                    viaOthers.client.getKVClient().compact(compactAt).join();
                    watched.start();

                    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertTrue(sink.summary().containsAll(
                            List.of("changed changed CLAIMED", "removed removed", "created created PENDING")),
                            sink.summary().toString()));
                    viaOthers.apply(new TaskRequest.Start("changed", "cell-1", "c"));
                    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertEquals(
                            "changed changed CLAIMED->RUNNING", last(sink.summary())));

                    assertEquals(table(viaOthers), sink.view().keySet().stream().collect(HashMap::new,
                            (m, guid) -> m.put(guid, sink.view().get(guid)), HashMap::putAll));
                    assertFalse(sink.summary().contains("created kept PENDING"), "unchanged tasks are not repeated");
                    assertNoEventTwice(sink.events);
                }
            }
        }
    }

    private static Map<String, Task> table(StoreFixture fixture) {
        Map<String, Task> table = new HashMap<>();
        for (Task task : StoreFixture.join(fixture.store.list(TaskFilter.all(), 1000, java.util.Optional.empty()))
                .tasks()) {
            table.put(task.getGuid(), task);
        }
        // the watch started after "kept", "changed" and "removed" existed, so it reports only what changed since
        table.remove("kept");
        return table;
    }

    private static String last(List<String> lines) {
        return lines.get(lines.size() - 1);
    }

    private static void assertNoEventTwice(List<TaskEvent> events) {
        Set<String> seen = new HashSet<>();
        for (TaskEvent event : events) {
            assertTrue(seen.add(event.toString()), "delivered twice: " + event);
        }
    }
}
