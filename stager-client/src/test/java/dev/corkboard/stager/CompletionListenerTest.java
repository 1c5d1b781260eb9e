package dev.corkboard.stager;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corkboard.bbs.state.TaskRequest;
import dev.corkboard.proto.v1.ListTasksRequest;
import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskDefinition;
import dev.corkboard.proto.v1.TaskState;
import dev.corkboard.testkit.EtcdExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class CompletionListenerTest {

    @RegisterExtension
    static final EtcdExtension etcd = EtcdExtension.single();

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    private LiveBbs bbs;
    private StagerClient client;
    private final Map<String, AtomicInteger> handled = new ConcurrentHashMap<>();

    @BeforeEach
    void start() {
        bbs = LiveBbs.start(String.join(",", etcd.endpoints()), 2);
        client = bbs.client();
    }

    @AfterEach
    void stop() {
        client.close();
        bbs.close();
    }

    private void record(Task task) {
        handled.computeIfAbsent(task.getGuid(), guid -> new AtomicInteger()).incrementAndGet();
    }

    private List<Task> tasksIn(String domain) {
        return client.list(ListTasksRequest.newBuilder().setDomain(domain).build());
    }

    private void desireAndComplete(String domain, List<String> guids) {
        for (String guid : guids) {
            client.desire(guid, domain, StagerClientTest.echo(guid));
            bbs.complete(guid, false);
        }
    }

    private static List<String> guids(String prefix, int count) {
        return IntStream.range(0, count).mapToObj(i -> prefix + "-" + i).toList();
    }

    @Test
    void aCompletedTaskIsHandedToTheHandlerWithItsResultAndThenResolved() {
        try (CompletionListener listener = client.listen("builds", this::record)) {
            client.desire("t-1", "builds", StagerClientTest.echo("x"));
            Task completed = bbs.complete("t-1", false);

            await().atMost(PATIENCE).until(() -> tasksIn("builds").isEmpty());
            assertEquals(1, handled.get("t-1").get());
            assertEquals("result of t-1", completed.getResult());
        }
    }

    @Test
    void aHandlerThatThrowsLeavesTheTaskResolving() {
        try (CompletionListener listener = client.listen("builds", task -> {
            record(task);
            throw new IllegalStateException("downstream is down");
        })) {
            client.desire("t-2", "builds", StagerClientTest.echo("x"));
            bbs.complete("t-2", true);

            await().atMost(PATIENCE).until(() -> handled.containsKey("t-2"));
            await().atMost(PATIENCE).until(() -> client.get("t-2").getState() == TaskState.RESOLVING);
        }
    }

    @Test
    void tasksOfOtherDomainsAndTasksWithACallbackAreNotHandled() {
        try (CompletionListener listener = client.listen("builds", this::record)) {
            client.desire("other", "deploys", StagerClientTest.echo("x"));
            bbs.complete("other", false);
            client.desire("called-back", "builds", TaskDefinition.newBuilder(StagerClientTest.echo("x"))
                    .setCompletionCallbackUrl("http://127.0.0.1:9/never").build());
            bbs.complete("called-back", false);
            client.desire("mine", "builds", StagerClientTest.echo("x"));
            bbs.complete("mine", false);

            // "mine" completed last: once it is handled, the listener has seen the two before it as well
            await().atMost(PATIENCE).until(() -> handled.containsKey("mine"));
            assertEquals(TaskState.COMPLETED, client.get("other").getState());
            // the BBS itself takes "called-back" (it cannot deliver to port 9, so it stays resolving or completed)
            assertEquals(Map.of("mine", 1), Map.of("mine", handled.get("mine").get()));
            assertEquals(1, handled.size(), "neither the other domain's task nor the callback task was handled");
        }
    }

    @Test
    void completionsWhileTheListenerWasDownAreEachHandledAndResolvedExactlyOnce() {
        List<String> guids = guids("offline", 500);
        desireAndComplete("batch", guids);

        try (CompletionListener listener = client.listen("batch", this::record,
                ListenerSettings.defaults().withHandlerThreads(8))) {
            await().atMost(PATIENCE).until(() -> tasksIn("batch").isEmpty());
        }

        assertEquals(500, handled.size());
        assertTrue(handled.values().stream().allMatch(count -> count.get() >= 1));
        assertEquals(500.0, bbs.resolvesApplied(), "every task removed by exactly one resolve");
    }

    @Test
    void twoListenersOfOneDomainResolveEachTaskExactlyOnce() {
        List<String> guids = guids("shared", 100);
        try (StagerClient other = bbs.client();
                CompletionListener first = client.listen("shared", this::record);
                CompletionListener second = other.listen("shared", this::record)) {
            desireAndComplete("shared", guids);

            await().atMost(PATIENCE).until(() -> tasksIn("shared").isEmpty());
        }

        assertEquals(100, handled.size());
        // a listener handles a task only after winning ResolvingTask, and nothing failed: never twice
        assertTrue(handled.values().stream().allMatch(count -> count.get() == 1), handled.toString());
        assertEquals(100.0, bbs.resolvesApplied());
    }

    @Test
    void theListenerMovesToAnotherReplicaWhenItsReplicaDiesAndMissesNothing() {
        try (CompletionListener listener = client.listen("moving", this::record)) {
            await().atMost(PATIENCE).until(() -> listener.lastRevision() > 0);
            desireAndComplete("moving", guids("before", 20));
            await().atMost(PATIENCE).until(() -> handled.size() == 20);

            // each replica goes away in turn, so the watch has had to move at least once
            bbs.stop(0);
            desireAndComplete("moving", guids("without-0", 20));
            await().atMost(PATIENCE).until(() -> handled.size() == 40);
            bbs.restart(0);
            bbs.stop(1);
            desireAndComplete("moving", guids("without-1", 20));

            await().atMost(PATIENCE).until(() -> handled.size() == 60 && tasksIn("moving").isEmpty());
        }
        assertTrue(handled.values().stream().allMatch(count -> count.get() >= 1));
    }

    @Test
    void aTaskLeftResolvingAndDemotedIsOfferedAgain() {
        AtomicInteger attempts = new AtomicInteger();
        try (CompletionListener listener = client.listen("retry", task -> {
            record(task);
            if (attempts.incrementAndGet() == 1) {
                throw new IllegalStateException("first try fails");
            }
        })) {
            client.desire("t-3", "retry", StagerClientTest.echo("x"));
            bbs.complete("t-3", false);
            await().atMost(PATIENCE).until(() -> client.get("t-3").getState() == TaskState.RESOLVING);

            // what the converger does to a resolution left standing past the kick interval
            bbs.apply(new TaskRequest.DemoteResolving("t-3"));

            await().atMost(PATIENCE).until(() -> tasksIn("retry").isEmpty());
            assertEquals(2, handled.get("t-3").get());
        }
    }
}
