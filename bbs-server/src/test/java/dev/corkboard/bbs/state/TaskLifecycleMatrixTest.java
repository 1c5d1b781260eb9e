package dev.corkboard.bbs.state;

import static dev.corkboard.bbs.state.TaskFixtures.GUID;
import static dev.corkboard.bbs.state.TaskFixtures.NOW;
import static dev.corkboard.bbs.state.TaskFixtures.OTHER;
import static dev.corkboard.bbs.state.TaskFixtures.OWNER;
import static dev.corkboard.bbs.state.TaskFixtures.ms;
import static dev.corkboard.bbs.state.TaskLifecycleMatrixTest.Caller.ANYONE;
import static dev.corkboard.bbs.state.TaskLifecycleMatrixTest.Caller.OTHER_EXECUTOR;
import static dev.corkboard.bbs.state.TaskLifecycleMatrixTest.Caller.OWNER_EXECUTOR;
import static dev.corkboard.bbs.state.TaskLifecycleMatrixTest.Stored.ABSENT;
import static dev.corkboard.bbs.state.TaskLifecycleMatrixTest.Stored.CLAIMED;
import static dev.corkboard.bbs.state.TaskLifecycleMatrixTest.Stored.COMPLETED;
import static dev.corkboard.bbs.state.TaskLifecycleMatrixTest.Stored.PENDING;
import static dev.corkboard.bbs.state.TaskLifecycleMatrixTest.Stored.RESOLVING;
import static dev.corkboard.bbs.state.TaskLifecycleMatrixTest.Stored.RUNNING;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskState;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * Every call against every stored state, in one table. The stored records are the fixtures of {@link TaskFixtures}:
 * claimed, running, completed and resolving tasks belong to {@code OWNER}; the completed ones succeeded with
 * {@code RESULT}, and the COMPLETE request in this table repeats that outcome.
 */
class TaskLifecycleMatrixTest {

    /** The stored record a call meets: none, or the fixture in that state. */
    enum Stored {
        ABSENT(null), PENDING(TaskState.PENDING), CLAIMED(TaskState.CLAIMED), RUNNING(TaskState.RUNNING),
        COMPLETED(TaskState.COMPLETED), RESOLVING(TaskState.RESOLVING);

        final TaskState state;

        Stored(TaskState state) {
            this.state = state;
        }

        Optional<Task> record() {
            return state == null ? Optional.empty() : Optional.of(TaskFixtures.inState(state));
        }

        boolean hasOwner() {
            return record().map(task -> !task.getExecutorId().isEmpty()).orElse(false);
        }

        static Stored of(TaskState state) {
            for (Stored stored : values()) {
                if (stored.state == state) {
                    return stored;
                }
            }
            throw new AssertionError("the matrix has no stored fixture for " + state);
        }
    }

    /** Who makes an executor call: the task's owner or another executor; ANYONE for the other calls. */
    enum Caller {
        OWNER_EXECUTOR, OTHER_EXECUTOR, ANYONE
    }

    sealed interface Expected {}

    record Writes(TaskState to) implements Expected {}

    record Unchanged() implements Expected {}

    record Removes() implements Expected {}

    record Refuses(TaskError error) implements Expected {}

    record Row(Stored stored, Call call, Caller caller, Expected expected) {
        @Override
        public String toString() {
            return stored + " x " + call + (caller == ANYONE ? "" : " by " + caller) + " -> " + expected;
        }
    }

    private static final Set<Call> EXECUTOR_CALLS = EnumSet.of(Call.CLAIM, Call.START, Call.REJECT, Call.COMPLETE);

    // @formatter:off
    static final List<Row> MATRIX = List.of(
        row(ABSENT,    Call.DESIRE,    ANYONE,         writes(TaskState.PENDING)),
        row(ABSENT,    Call.CLAIM,     ANYONE,         refuses(notFound())),
        row(ABSENT,    Call.START,     ANYONE,         refuses(notFound())),
        row(ABSENT,    Call.REJECT,    ANYONE,         refuses(notFound())),
        row(ABSENT,    Call.COMPLETE,  ANYONE,         refuses(notFound())),
        row(ABSENT,    Call.CANCEL,    ANYONE,         refuses(notFound())),
        row(ABSENT,    Call.FAIL,      ANYONE,         refuses(notFound())),
        row(ABSENT,    Call.RESOLVING, ANYONE,         refuses(notFound())),
        row(ABSENT,    Call.RESOLVE,   ANYONE,         refuses(notFound())),
        row(ABSENT,    Call.KICK,             ANYONE,         refuses(notFound())),
        row(ABSENT,    Call.DEMOTE_CLAIM,     ANYONE,         refuses(notFound())),
        row(ABSENT,    Call.DEMOTE_RESOLVING, ANYONE,         refuses(notFound())),
        row(ABSENT,    Call.EXPIRE,           ANYONE,         refuses(notFound())),

        row(PENDING,   Call.DESIRE,    ANYONE,         unchanged()),
        row(PENDING,   Call.CLAIM,     ANYONE,         writes(TaskState.CLAIMED)),
        row(PENDING,   Call.START,     ANYONE,         refuses(invalid(TaskState.PENDING, Call.START))),
        row(PENDING,   Call.REJECT,    ANYONE,         refuses(invalid(TaskState.PENDING, Call.REJECT))),
        row(PENDING,   Call.COMPLETE,  ANYONE,         refuses(invalid(TaskState.PENDING, Call.COMPLETE))),
        row(PENDING,   Call.CANCEL,    ANYONE,         writes(TaskState.COMPLETED)),
        row(PENDING,   Call.FAIL,      ANYONE,         writes(TaskState.COMPLETED)),
        row(PENDING,   Call.RESOLVING, ANYONE,         refuses(invalid(TaskState.PENDING, Call.RESOLVING))),
        row(PENDING,   Call.RESOLVE,   ANYONE,         refuses(invalid(TaskState.PENDING, Call.RESOLVE))),
        row(PENDING,   Call.KICK,             ANYONE,         writes(TaskState.PENDING)),
        row(PENDING,   Call.DEMOTE_CLAIM,     ANYONE,         refuses(invalid(TaskState.PENDING, Call.DEMOTE_CLAIM))),
        row(PENDING,   Call.DEMOTE_RESOLVING, ANYONE,         refuses(invalid(TaskState.PENDING, Call.DEMOTE_RESOLVING))),
        row(PENDING,   Call.EXPIRE,           ANYONE,         refuses(invalid(TaskState.PENDING, Call.EXPIRE))),

        row(CLAIMED,   Call.DESIRE,    ANYONE,         unchanged()),
        row(CLAIMED,   Call.CLAIM,     OWNER_EXECUTOR, unchanged()),
        row(CLAIMED,   Call.CLAIM,     OTHER_EXECUTOR, refuses(ownedByAnother(Call.CLAIM))),
        row(CLAIMED,   Call.START,     OWNER_EXECUTOR, writes(TaskState.RUNNING)),
        row(CLAIMED,   Call.START,     OTHER_EXECUTOR, refuses(ownedByAnother(Call.START))),
        row(CLAIMED,   Call.REJECT,    OWNER_EXECUTOR, writes(TaskState.PENDING)),
        row(CLAIMED,   Call.REJECT,    OTHER_EXECUTOR, refuses(ownedByAnother(Call.REJECT))),
        row(CLAIMED,   Call.COMPLETE,  OWNER_EXECUTOR, writes(TaskState.COMPLETED)),
        row(CLAIMED,   Call.COMPLETE,  OTHER_EXECUTOR, refuses(ownedByAnother(Call.COMPLETE))),
        row(CLAIMED,   Call.CANCEL,    ANYONE,         writes(TaskState.COMPLETED)),
        row(CLAIMED,   Call.FAIL,      ANYONE,         writes(TaskState.COMPLETED)),
        row(CLAIMED,   Call.RESOLVING, ANYONE,         refuses(invalid(TaskState.CLAIMED, Call.RESOLVING))),
        row(CLAIMED,   Call.RESOLVE,   ANYONE,         refuses(invalid(TaskState.CLAIMED, Call.RESOLVE))),
        row(CLAIMED,   Call.KICK,             ANYONE,         refuses(invalid(TaskState.CLAIMED, Call.KICK))),
        row(CLAIMED,   Call.DEMOTE_CLAIM,     ANYONE,         writes(TaskState.PENDING)),
        row(CLAIMED,   Call.DEMOTE_RESOLVING, ANYONE,         refuses(invalid(TaskState.CLAIMED, Call.DEMOTE_RESOLVING))),
        row(CLAIMED,   Call.EXPIRE,           ANYONE,         refuses(invalid(TaskState.CLAIMED, Call.EXPIRE))),

        row(RUNNING,   Call.DESIRE,    ANYONE,         unchanged()),
        row(RUNNING,   Call.CLAIM,     OWNER_EXECUTOR, refuses(invalid(TaskState.RUNNING, Call.CLAIM))),
        row(RUNNING,   Call.CLAIM,     OTHER_EXECUTOR, refuses(ownedByAnother(Call.CLAIM))),
        row(RUNNING,   Call.START,     OWNER_EXECUTOR, unchanged()),
        row(RUNNING,   Call.START,     OTHER_EXECUTOR, refuses(ownedByAnother(Call.START))),
        row(RUNNING,   Call.REJECT,    OWNER_EXECUTOR, writes(TaskState.PENDING)),
        row(RUNNING,   Call.REJECT,    OTHER_EXECUTOR, refuses(ownedByAnother(Call.REJECT))),
        row(RUNNING,   Call.COMPLETE,  OWNER_EXECUTOR, writes(TaskState.COMPLETED)),
        row(RUNNING,   Call.COMPLETE,  OTHER_EXECUTOR, refuses(ownedByAnother(Call.COMPLETE))),
        row(RUNNING,   Call.CANCEL,    ANYONE,         writes(TaskState.COMPLETED)),
        row(RUNNING,   Call.FAIL,      ANYONE,         writes(TaskState.COMPLETED)),
        row(RUNNING,   Call.RESOLVING, ANYONE,         refuses(invalid(TaskState.RUNNING, Call.RESOLVING))),
        row(RUNNING,   Call.RESOLVE,   ANYONE,         refuses(invalid(TaskState.RUNNING, Call.RESOLVE))),
        row(RUNNING,   Call.KICK,             ANYONE,         refuses(invalid(TaskState.RUNNING, Call.KICK))),
        row(RUNNING,   Call.DEMOTE_CLAIM,     ANYONE,         refuses(invalid(TaskState.RUNNING, Call.DEMOTE_CLAIM))),
        row(RUNNING,   Call.DEMOTE_RESOLVING, ANYONE,         refuses(invalid(TaskState.RUNNING, Call.DEMOTE_RESOLVING))),
        row(RUNNING,   Call.EXPIRE,           ANYONE,         refuses(invalid(TaskState.RUNNING, Call.EXPIRE))),

        row(COMPLETED, Call.DESIRE,    ANYONE,         unchanged()),
        row(COMPLETED, Call.CLAIM,     OWNER_EXECUTOR, refuses(invalid(TaskState.COMPLETED, Call.CLAIM))),
        row(COMPLETED, Call.CLAIM,     OTHER_EXECUTOR, refuses(invalid(TaskState.COMPLETED, Call.CLAIM))),
        row(COMPLETED, Call.START,     OWNER_EXECUTOR, refuses(invalid(TaskState.COMPLETED, Call.START))),
        row(COMPLETED, Call.START,     OTHER_EXECUTOR, refuses(invalid(TaskState.COMPLETED, Call.START))),
        row(COMPLETED, Call.REJECT,    OWNER_EXECUTOR, refuses(invalid(TaskState.COMPLETED, Call.REJECT))),
        row(COMPLETED, Call.REJECT,    OTHER_EXECUTOR, refuses(invalid(TaskState.COMPLETED, Call.REJECT))),
        row(COMPLETED, Call.COMPLETE,  OWNER_EXECUTOR, unchanged()),
        row(COMPLETED, Call.COMPLETE,  OTHER_EXECUTOR, refuses(ownedByAnother(Call.COMPLETE))),
        row(COMPLETED, Call.CANCEL,    ANYONE,         refuses(invalid(TaskState.COMPLETED, Call.CANCEL))),
        row(COMPLETED, Call.FAIL,      ANYONE,         refuses(invalid(TaskState.COMPLETED, Call.FAIL))),
        row(COMPLETED, Call.RESOLVING, ANYONE,         writes(TaskState.RESOLVING)),
        row(COMPLETED, Call.RESOLVE,   ANYONE,         refuses(invalid(TaskState.COMPLETED, Call.RESOLVE))),
        row(COMPLETED, Call.KICK,             ANYONE,         writes(TaskState.COMPLETED)),
        row(COMPLETED, Call.DEMOTE_CLAIM,     ANYONE,         refuses(invalid(TaskState.COMPLETED, Call.DEMOTE_CLAIM))),
        row(COMPLETED, Call.DEMOTE_RESOLVING, ANYONE,         refuses(invalid(TaskState.COMPLETED, Call.DEMOTE_RESOLVING))),
        row(COMPLETED, Call.EXPIRE,           ANYONE,         removes()),

        row(RESOLVING, Call.DESIRE,    ANYONE,         unchanged()),
        row(RESOLVING, Call.CLAIM,     OWNER_EXECUTOR, refuses(invalid(TaskState.RESOLVING, Call.CLAIM))),
        row(RESOLVING, Call.CLAIM,     OTHER_EXECUTOR, refuses(invalid(TaskState.RESOLVING, Call.CLAIM))),
        row(RESOLVING, Call.START,     OWNER_EXECUTOR, refuses(invalid(TaskState.RESOLVING, Call.START))),
        row(RESOLVING, Call.START,     OTHER_EXECUTOR, refuses(invalid(TaskState.RESOLVING, Call.START))),
        row(RESOLVING, Call.REJECT,    OWNER_EXECUTOR, refuses(invalid(TaskState.RESOLVING, Call.REJECT))),
        row(RESOLVING, Call.REJECT,    OTHER_EXECUTOR, refuses(invalid(TaskState.RESOLVING, Call.REJECT))),
        row(RESOLVING, Call.COMPLETE,  OWNER_EXECUTOR, unchanged()),
        row(RESOLVING, Call.COMPLETE,  OTHER_EXECUTOR, refuses(ownedByAnother(Call.COMPLETE))),
        row(RESOLVING, Call.CANCEL,    ANYONE,         refuses(invalid(TaskState.RESOLVING, Call.CANCEL))),
        row(RESOLVING, Call.FAIL,      ANYONE,         refuses(invalid(TaskState.RESOLVING, Call.FAIL))),
        row(RESOLVING, Call.RESOLVING, ANYONE,         refuses(invalid(TaskState.RESOLVING, Call.RESOLVING))),
        row(RESOLVING, Call.RESOLVE,   ANYONE,         removes()),
        row(RESOLVING, Call.KICK,             ANYONE,         refuses(invalid(TaskState.RESOLVING, Call.KICK))),
        row(RESOLVING, Call.DEMOTE_CLAIM,     ANYONE,         refuses(invalid(TaskState.RESOLVING, Call.DEMOTE_CLAIM))),
        row(RESOLVING, Call.DEMOTE_RESOLVING, ANYONE,         writes(TaskState.COMPLETED)),
        row(RESOLVING, Call.EXPIRE,           ANYONE,         refuses(invalid(TaskState.RESOLVING, Call.EXPIRE)))
    );
    // @formatter:on

    @ParameterizedTest(name = "{0}")
    @FieldSource("MATRIX")
    void eachStateAndCallDecidesAsTheTableSays(Row row) {
        Optional<Task> stored = row.stored().record();

        Decision decision = new TaskLifecycle().decide(stored, request(row.call(), row.caller()), NOW);

        Expected expected = row.expected();
        if (expected instanceof Writes writes) {
            Task next = assertInstanceOf(Decision.Write.class, decision, row::toString).task();
            assertEquals(writes.to(), next.getState(), row::toString);
            assertEquals(GUID, next.getGuid(), row::toString);
            assertEquals(ms(NOW), next.getUpdatedAtMs(), row::toString);
        } else if (expected instanceof Unchanged) {
            Task same = assertInstanceOf(Decision.Unchanged.class, decision, row::toString).task();
            assertEquals(stored.orElseThrow(), same, row::toString);
        } else if (expected instanceof Removes) {
            Task removed = assertInstanceOf(Decision.Remove.class, decision, row::toString).task();
            assertEquals(stored.orElseThrow(), removed, row::toString);
        } else {
            TaskError error = assertInstanceOf(Decision.Refused.class, decision, row::toString).error();
            assertEquals(((Refuses) expected).error(), error, row::toString);
        }
    }

    @Test
    void theTableCoversEveryStoredStateAndCallWithOwnerAndOtherExecutorWhereOwnershipMatters() {
        List<Stored> storedStates = new ArrayList<>();
        storedStates.add(ABSENT);
        for (TaskState state : TaskState.values()) {
            if (state != TaskState.TASK_STATE_UNSPECIFIED && state != TaskState.UNRECOGNIZED) {
                storedStates.add(Stored.of(state));
            }
        }
        List<String> problems = new ArrayList<>();
        for (Stored stored : storedStates) {
            for (Call call : Call.values()) {
                Set<Caller> expected = EXECUTOR_CALLS.contains(call) && stored.hasOwner()
                        ? EnumSet.of(OWNER_EXECUTOR, OTHER_EXECUTOR)
                        : EnumSet.of(ANYONE);
                List<Caller> actual = MATRIX.stream()
                        .filter(row -> row.stored() == stored && row.call() == call)
                        .map(Row::caller)
                        .toList();
                if (actual.size() != expected.size() || !expected.equals(Set.copyOf(actual))) {
                    problems.add(stored + " x " + call + ": expected callers " + expected + ", table has " + actual);
                }
            }
        }
        assertTrue(problems.isEmpty(), () -> String.join("\n", problems));
        assertEquals(MATRIX.size(), Set.copyOf(MATRIX).size(), "the table has duplicate rows");
    }

    private static TaskRequest request(Call call, Caller caller) {
        String executor = caller == OWNER_EXECUTOR ? OWNER : OTHER;
        return switch (call) {
            case DESIRE -> TaskFixtures.desire();
            case CLAIM -> TaskFixtures.claim(executor);
            case START -> TaskFixtures.start(executor);
            case REJECT -> TaskFixtures.reject(executor);
            case COMPLETE -> TaskFixtures.succeed(executor);
            case CANCEL -> TaskFixtures.cancel();
            case FAIL -> TaskFixtures.fail("executor disappeared before completion");
            case RESOLVING -> TaskFixtures.resolvingCall();
            case RESOLVE -> TaskFixtures.resolve();
            case KICK -> new TaskRequest.Kick(GUID);
            case DEMOTE_CLAIM -> new TaskRequest.DemoteClaim(GUID);
            case DEMOTE_RESOLVING -> new TaskRequest.DemoteResolving(GUID);
            case EXPIRE -> new TaskRequest.Expire(GUID);
        };
    }

    private static Row row(Stored stored, Call call, Caller caller, Expected expected) {
        return new Row(stored, call, caller, expected);
    }

    private static Expected writes(TaskState to) {
        return new Writes(to);
    }

    private static Expected unchanged() {
        return new Unchanged();
    }

    private static Expected removes() {
        return new Removes();
    }

    private static Expected refuses(TaskError error) {
        return new Refuses(error);
    }

    private static TaskError notFound() {
        return new TaskError.NotFound(GUID);
    }

    private static TaskError invalid(TaskState from, Call call) {
        return TaskFixtures.invalidTransition(from, call);
    }

    private static TaskError ownedByAnother(Call call) {
        return TaskFixtures.ownedByAnother(call);
    }
}
