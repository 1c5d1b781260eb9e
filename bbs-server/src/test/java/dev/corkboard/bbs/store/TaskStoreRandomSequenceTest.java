package dev.corkboard.bbs.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corkboard.bbs.state.Decision;
import dev.corkboard.bbs.state.TaskException;
import dev.corkboard.bbs.state.TaskLifecycle;
import dev.corkboard.bbs.state.TaskRequest;
import dev.corkboard.proto.v1.Task;
import dev.corkboard.testkit.FixtureExtension;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random sequences of calls through two replicas (so one often decides on a stale guess), checked call by call
 * against the pure state machine as a model: the store answers what the model answers, holds what the model holds,
 * and its index keys mirror its records exactly after every step.
 */
class TaskStoreRandomSequenceTest {

    private static final int STEPS = 300;
    private static final List<String> GUIDS = List.of("a", "b", "c", "d");
    private static final List<String> EXECUTORS = List.of("cell-1", "cell-2", "cell-3");
    private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");

    @RegisterExtension
    static final FixtureExtension<StoreFixture> store = new FixtureExtension<>(StoreFixture::new);

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 7, 42})
    void theStoreAgreesWithTheStateMachineAfterEveryCall(long seed) {
        Random random = new Random(seed);
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        TaskLifecycle model = new TaskLifecycle();
        Map<String, Task> expected = new HashMap<>();
        Map<Class<?>, Integer> decisions = new HashMap<>();
        StoreFixture fixture = store.fixture();
        List<EtcdTaskStore> replicas = List.of(fixture.anotherReplica(clock), fixture.anotherReplica(clock));
        for (int step = 0; step < STEPS; step++) {
            // half the calls are what an actor would do next, half anything at all
            TaskRequest request = random.nextBoolean() ? randomCall(random) : nextCall(random, expected);
            EtcdTaskStore replica = replicas.get(random.nextInt(replicas.size()));
            String context = "seed " + seed + " step " + step + ": " + request;

            Decision decision = model.decide(Optional.ofNullable(expected.get(request.guid())), request, NOW);
            decisions.merge(decision.getClass(), 1, Integer::sum);
            Object answer = answer(replica, request);

            if (decision instanceof Decision.Refused refused) {
                assertEquals(refused.error(), answer, context);
            } else if (decision instanceof Decision.Write write) {
                assertEquals(write.task(), answer, context);
                expected.put(request.guid(), write.task());
            } else if (decision instanceof Decision.Remove remove) {
                assertEquals(remove.task(), answer, context);
                expected.remove(request.guid());
            } else {
                assertEquals(((Decision.Unchanged) decision).task(), answer, context);
            }
            fixture.assertIndexExact();
        }
        for (String guid : GUIDS) {
            assertEquals(Optional.ofNullable(expected.get(guid)), stored(fixture, guid), "seed " + seed);
        }
        // the walk must have moved tasks, not only collected refusals
        assertTrue(decisions.getOrDefault(Decision.Write.class, 0) >= 100, "writes: " + decisions);
        assertTrue(decisions.getOrDefault(Decision.Remove.class, 0) >= 10, "removes: " + decisions);
        assertTrue(decisions.getOrDefault(Decision.Unchanged.class, 0) >= 5, "no-ops: " + decisions);
    }

    /** The task the call returned, or the error it was refused with. */
    private static Object answer(EtcdTaskStore replica, TaskRequest request) {
        try {
            return StoreFixture.join(replica.apply(request));
        } catch (TaskException e) {
            return e.error();
        }
    }

    private static Optional<Task> stored(StoreFixture fixture, String guid) {
        try {
            return Optional.of(fixture.get(guid));
        } catch (TaskException e) {
            return Optional.empty();
        }
    }

    /** What the stager or the owning executor would call next for a random task. */
    private static TaskRequest nextCall(Random random, Map<String, Task> tasks) {
        String guid = GUIDS.get(random.nextInt(GUIDS.size()));
        Task task = tasks.get(guid);
        if (task == null) {
            return new TaskRequest.Desire(guid, "domain-" + random.nextInt(2), StoreFixture.definition());
        }
        String owner = task.getExecutorId();
        return switch (task.getState()) {
            case PENDING -> new TaskRequest.Claim(guid, EXECUTORS.get(random.nextInt(EXECUTORS.size())));
            case CLAIMED -> random.nextInt(4) == 0 ? new TaskRequest.Reject(guid, owner, "no room")
                    : new TaskRequest.Start(guid, owner, "container-" + owner);
            case RUNNING -> new TaskRequest.Complete(guid, owner, random.nextBoolean(), "exit status 1", "out");
            case COMPLETED -> new TaskRequest.Resolving(guid);
            default -> new TaskRequest.Resolve(guid);
        };
    }

    private static TaskRequest randomCall(Random random) {
        String guid = GUIDS.get(random.nextInt(GUIDS.size()));
        String executor = EXECUTORS.get(random.nextInt(EXECUTORS.size()));
        return switch (random.nextInt(9)) {
            case 0 -> new TaskRequest.Desire(guid, "domain-" + random.nextInt(2), StoreFixture.definition());
            case 1 -> new TaskRequest.Claim(guid, executor);
            case 2 -> new TaskRequest.Start(guid, executor, "container-" + executor);
            case 3 -> new TaskRequest.Reject(guid, executor, "no room");
            case 4 -> new TaskRequest.Complete(guid, executor, random.nextBoolean(), "exit status 1", "out");
            case 5 -> new TaskRequest.Cancel(guid);
            case 6 -> new TaskRequest.Fail(guid, "executor disappeared before completion");
            case 7 -> new TaskRequest.Resolving(guid);
            default -> new TaskRequest.Resolve(guid);
        };
    }
}
