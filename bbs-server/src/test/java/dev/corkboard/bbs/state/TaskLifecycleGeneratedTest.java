package dev.corkboard.bbs.state;

import static dev.corkboard.bbs.state.TaskFixtures.DOMAIN;
import static dev.corkboard.bbs.state.TaskFixtures.GUID;
import static dev.corkboard.bbs.state.TaskFixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Seeded random walks: three executors, two stagers (acting as operators too) and the converger make random calls
 * against one task; every Write and Remove is applied to a local record, and the invariants are checked after every step.
 */
class TaskLifecycleGeneratedTest {

    private static final List<String> EXECUTORS = List.of("exec-1", "exec-2", "exec-3");
    private static final List<String> STAGERS = List.of("stager-1", "stager-2");
    private static final int STEPS = 200;
    private static final Set<TaskState> OWNED = EnumSet.of(TaskState.CLAIMED, TaskState.RUNNING);
    private static final Set<TaskState> DONE = EnumSet.of(TaskState.COMPLETED, TaskState.RESOLVING);
    private static final Set<Call> OWNER_CALLS = EnumSet.of(Call.START, Call.REJECT, Call.COMPLETE);

    /** One call of a walk and what it did. */
    record Step(long seed, int index, int maxRejections, Instant now, Optional<Task> before, String actor,
            TaskRequest request, Decision decision, Optional<Task> after) {

        String describe() {
            return "seed " + seed + " (maxRejections " + maxRejections + ") step " + index + ": " + actor + " "
                    + request.call() + " on " + before.map(TaskLifecycleGeneratedTest::brief).orElse("(absent)")
                    + " -> " + decision.getClass().getSimpleName() + " "
                    + after.map(TaskLifecycleGeneratedTest::brief).orElse("(absent)");
        }
    }

    static LongStream seeds() {
        return LongStream.rangeClosed(1, 20);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void invariantsHoldAfterEveryStepOfARandomWalk(long seed) {
        walk(seed, TaskLifecycleGeneratedTest::checkInvariants);
    }

    @Test
    void theWalksTogetherMakeEveryCallInEveryStoredStateAndReachEveryKindOfDecision() {
        Set<String> pairs = new HashSet<>();
        Set<Class<?>> decisions = new HashSet<>();
        for (long seed : seeds().toArray()) {
            walk(seed, step -> {
                pairs.add(step.before().map(task -> task.getState().name()).orElse("ABSENT") + " x "
                        + step.request().call());
                decisions.add(step.decision().getClass());
            });
        }
        List<String> missing = new ArrayList<>();
        for (String stored : List.of("ABSENT", "PENDING", "CLAIMED", "RUNNING", "COMPLETED", "RESOLVING")) {
            for (Call call : Call.values()) {
                if (!pairs.contains(stored + " x " + call)) {
                    missing.add(stored + " x " + call);
                }
            }
        }
        assertEquals(List.of(), missing, "(state, call) pairs the generator never produced");
        assertEquals(Set.of(Decision.Write.class, Decision.Remove.class, Decision.Unchanged.class,
                Decision.Refused.class), decisions);
    }

    private static void walk(long seed, Consumer<Step> observer) {
        Random random = new Random(seed);
        int maxRejections = (int) (seed % 4);
        TaskLifecycle lifecycle = new TaskLifecycle(maxRejections);
        Optional<Task> current = Optional.empty();
        long clock = T0.toEpochMilli();
        for (int index = 0; index < STEPS; index++) {
            clock += 500L * random.nextInt(3); // sometimes the same millisecond as the previous call
            Instant now = Instant.ofEpochMilli(clock);
            int who = random.nextInt(6);
            String actor = who < 3 ? pick(random, EXECUTORS) : who < 5 ? pick(random, STAGERS) : "converger";
            TaskRequest request = who < 3 ? executorCall(random, actor)
                    : who < 5 ? stagerCall(random) : convergerCall(random);

            Decision decision = lifecycle.decide(current, request, now);

            Optional<Task> after = apply(current, decision);
            observer.accept(new Step(seed, index, maxRejections, now, current, actor, request, decision, after));
            current = after;
        }
    }

    private static TaskRequest executorCall(Random random, String executor) {
        int roll = random.nextInt(100);
        if (roll < 20) {
            return new TaskRequest.Claim(GUID, executor);
        } else if (roll < 55) {
            return new TaskRequest.Start(GUID, executor, "container-of-" + executor);
        } else if (roll < 70) {
            return new TaskRequest.Reject(GUID, executor, pick(random, List.of("out of disk", "image pull failed")));
        }
        return switch (random.nextInt(3)) {
            case 0 -> new TaskRequest.Complete(GUID, executor, false, "", "result A");
            case 1 -> new TaskRequest.Complete(GUID, executor, false, "", "result B");
            default -> new TaskRequest.Complete(GUID, executor, true, "exit status 1", "");
        };
    }

    private static TaskRequest stagerCall(Random random) {
        int roll = random.nextInt(100);
        if (roll < 30) {
            return random.nextInt(10) == 0
                    ? new TaskRequest.Desire(GUID, DOMAIN, TaskFixtures.otherDefinition())
                    : new TaskRequest.Desire(GUID, DOMAIN, TaskFixtures.definition());
        } else if (roll < 38) {
            return new TaskRequest.Cancel(GUID);
        } else if (roll < 46) {
            return new TaskRequest.Fail(GUID, pick(random, List.of("executor disappeared before completion",
                    "not claimed within time limit")));
        } else if (roll < 73) {
            return new TaskRequest.Resolving(GUID);
        }
        return new TaskRequest.Resolve(GUID);
    }

    private static TaskRequest convergerCall(Random random) {
        return switch (random.nextInt(4)) {
            case 0 -> new TaskRequest.Kick(GUID);
            case 1 -> new TaskRequest.DemoteClaim(GUID);
            case 2 -> new TaskRequest.DemoteResolving(GUID);
            default -> new TaskRequest.Expire(GUID);
        };
    }

    private static Optional<Task> apply(Optional<Task> current, Decision decision) {
        if (decision instanceof Decision.Write write) {
            return Optional.of(write.task());
        } else if (decision instanceof Decision.Remove) {
            return Optional.empty();
        }
        return current;
    }

    private static void checkInvariants(Step step) {
        String where = step.describe();
        Decision decision = step.decision();
        Optional<TaskState> before = step.before().map(Task::getState);

        step.after().ifPresent(task -> checkRecord(step, task, where));

        if (decision instanceof Decision.Write write) {
            Task next = write.task();
            assertEquals(step.now().toEpochMilli(), next.getUpdatedAtMs(), where);
            if (step.before().isEmpty()) {
                assertEquals(Call.DESIRE, step.request().call(), where + ": only desire creates");
                assertEquals(TaskState.PENDING, next.getState(), where);
            } else {
                checkWriteOfExistingTask(step, step.before().get(), next, where);
            }
        } else if (decision instanceof Decision.Remove remove) {
            TaskState from = step.request().call() == Call.EXPIRE ? TaskState.COMPLETED : TaskState.RESOLVING;
            assertEquals(Optional.of(from), before, where + ": resolve removes only RESOLVING, expire only COMPLETED");
            assertEquals(step.before().get(), remove.task(), where);
        } else if (decision instanceof Decision.Unchanged unchanged) {
            assertEquals(step.before().orElseThrow(), unchanged.task(), where);
        }
    }

    private static void checkRecord(Step step, Task task, String where) {
        if (OWNED.contains(task.getState())) {
            assertTrue(EXECUTORS.contains(task.getExecutorId()), where + ": owned task without a known executor");
            assertTrue(task.getClaimedAtMs() > 0, where + ": owned task without claim time");
        }
        if (task.getState() == TaskState.PENDING) {
            assertEquals("", task.getExecutorId(), where + ": pending task with an executor");
            assertEquals("", task.getContainerHandle(), where);
            assertEquals(0, task.getClaimedAtMs(), where);
        }
        if (task.getState() == TaskState.RUNNING) {
            assertEquals("container-of-" + task.getExecutorId(), task.getContainerHandle(), where);
        }
        if (DONE.contains(task.getState())) {
            assertTrue(task.getFirstCompletedAtMs() > 0, where + ": completed without first_completed_at");
            assertTrue(!task.getFailed() || !task.getFailureReason().isBlank(), where + ": failed without reason");
        }
        assertTrue(task.getRejectionCount() <= step.maxRejections() + 1,
                where + ": rejection_count " + task.getRejectionCount());
        assertTrue(task.getUpdatedAtMs() >= task.getCreatedAtMs(), where);
    }

    private static void checkWriteOfExistingTask(Step step, Task before, Task next, String where) {
        TaskRequest request = step.request();
        if (OWNED.contains(before.getState())) {
            if (OWNER_CALLS.contains(request.call())) {
                assertEquals(before.getExecutorId(), step.actor(),
                        where + ": only the owner's start, reject and complete write");
            }
            assertTrue(request.call() != Call.CLAIM, where + ": a claimed task was claimed again");
        }
        assertTrue(next.getUpdatedAtMs() >= before.getUpdatedAtMs(), where + ": updated_at went back");
        assertEquals(before.getGuid(), next.getGuid(), where);
        assertEquals(before.getDomain(), next.getDomain(), where);
        assertEquals(before.getDefinition(), next.getDefinition(), where);
        assertEquals(before.getCreatedAtMs(), next.getCreatedAtMs(), where);
        if (before.getFirstCompletedAtMs() != 0) {
            assertEquals(before.getFirstCompletedAtMs(), next.getFirstCompletedAtMs(), where);
        }
        if (DONE.contains(before.getState())) {
            assertTrue(DONE.contains(next.getState()), where + ": a completed task went back");
            assertEquals(outcome(before), outcome(next), where + ": the outcome of a completed task changed");
        }
    }

    private static List<Object> outcome(Task task) {
        return List.of(task.getFailed(), task.getFailureReason(), task.getResult(), task.getExecutorId(),
                task.getFirstCompletedAtMs());
    }

    private static String brief(Task task) {
        return task.getState() + "[executor=" + task.getExecutorId() + ", rejections=" + task.getRejectionCount()
                + ", failed=" + task.getFailed() + ", reason=" + task.getFailureReason() + ", result="
                + task.getResult() + ", updated=" + task.getUpdatedAtMs() + "]";
    }

    private static <T> T pick(Random random, List<T> values) {
        return values.get(random.nextInt(values.size()));
    }
}
