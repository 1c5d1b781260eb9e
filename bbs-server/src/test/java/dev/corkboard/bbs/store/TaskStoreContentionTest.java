package dev.corkboard.bbs.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corkboard.bbs.state.Call;
import dev.corkboard.bbs.state.TaskError;
import dev.corkboard.bbs.state.TaskException;
import dev.corkboard.bbs.state.TaskRequest;
import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskState;
import dev.corkboard.testkit.FixtureExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Racing actors on separate etcd connections: every transition has exactly one winner, and losers name it. */
class TaskStoreContentionTest {

    private static final int TASKS = 1000;
    private static final int RACERS = 8;

    @RegisterExtension
    static final FixtureExtension<StoreFixture> store = new FixtureExtension<>(StoreFixture::new);

    private StoreFixture fixture;
    private final List<EtcdTaskStore> replicas = new ArrayList<>();

    @BeforeEach
    void open() {
        fixture = store.fixture();
        for (int i = 0; i < RACERS; i++) {
            replicas.add(fixture.anotherReplica());
        }
    }

    @Test
    void eachTaskIsClaimedByExactlyOneOfEightRacingExecutors() throws Exception {
        forEachTask(guid -> fixture.store.apply(new TaskRequest.Desire(guid, "race", StoreFixture.definition())));

        Map<String, List<Result>> results = race(racer -> new TaskRequest.Claim(guidOf(racer.task), "cell-" + racer.id));

        for (int t = 0; t < TASKS; t++) {
            String guid = guidOf(t);
            List<Result> outcomes = results.get(guid);
            List<Result> winners = outcomes.stream().filter(r -> r.error == null).toList();
            assertEquals(1, winners.size(), "exactly one claim of " + guid + " wins: " + outcomes);
            String winner = "cell-" + winners.get(0).racer;
            assertEquals(winner, fixture.get(guid).getExecutorId());
            for (Result loser : outcomes) {
                if (loser.error != null) {
                    assertEquals(new TaskError.OwnedByAnotherExecutor(guid, winner, "cell-" + loser.racer, Call.CLAIM),
                            loser.error, "a losing claim names the winner");
                }
            }
        }
        fixture.assertIndexExact();
        assertTrue(fixture.counter("corkboard.store.conflicts") > 0, "the racers really raced");
    }

    @Test
    void eachCompletedTaskIsResolvingForExactlyOneOfEightRacingStagers() throws Exception {
        forEachTask(guid -> fixture.store.apply(new TaskRequest.Desire(guid, "race", StoreFixture.definition()))
                .thenCompose(t -> fixture.store.apply(new TaskRequest.Cancel(guid))));

        Map<String, List<Result>> results = race(racer -> new TaskRequest.Resolving(guidOf(racer.task)));

        for (int t = 0; t < TASKS; t++) {
            String guid = guidOf(t);
            List<Result> outcomes = results.get(guid);
            assertEquals(1, outcomes.stream().filter(r -> r.error == null).count(), "one winner for " + guid);
            for (Result loser : outcomes) {
                if (loser.error != null) {
                    assertEquals(new TaskError.InvalidTransition(guid, TaskState.RESOLVING, "RESOLVING",
                            Call.RESOLVING), loser.error);
                }
            }
            assertEquals(TaskState.RESOLVING, fixture.get(guid).getState());
        }
        fixture.assertIndexExact();
    }

    private record Racer(int id, int task) {}

    private record Result(int racer, TaskError error) {}

    /** Every racer calls for every task, in the same order, released together so that they collide. */
    private Map<String, List<Result>> race(Function<Racer, TaskRequest> call) throws Exception {
        Map<String, List<Result>> results = new ConcurrentHashMap<>();
        CyclicBarrier start = new CyclicBarrier(RACERS);
        ExecutorService pool = Executors.newFixedThreadPool(RACERS);
        try {
            List<Future<?>> racers = new ArrayList<>();
            for (int r = 0; r < RACERS; r++) {
                int id = r;
                EtcdTaskStore replica = replicas.get(r);
                racers.add(pool.submit(() -> {
                    start.await();
                    for (int t = 0; t < TASKS; t++) {
                        TaskRequest request = call.apply(new Racer(id, t));
                        TaskError error = null;
                        try {
                            Task ignored = StoreFixture.join(replica.apply(request));
                        } catch (TaskException e) {
                            error = e.error();
                        }
                        results.computeIfAbsent(request.guid(), g -> new java.util.concurrent.CopyOnWriteArrayList<>())
                                .add(new Result(id, error));
                    }
                    return null;
                }));
            }
            for (Future<?> racer : racers) {
                racer.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return results;
    }

    private void forEachTask(Function<String, CompletableFuture<Task>> setup) {
        List<CompletableFuture<Task>> inFlight = new ArrayList<>();
        for (int t = 0; t < TASKS; t++) {
            inFlight.add(setup.apply(guidOf(t)));
            if (inFlight.size() == 64) {
                inFlight.forEach(CompletableFuture::join);
                inFlight.clear();
            }
        }
        inFlight.forEach(CompletableFuture::join);
    }

    private static String guidOf(int task) {
        return "task-" + task;
    }
}
