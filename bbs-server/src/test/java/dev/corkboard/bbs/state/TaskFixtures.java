package dev.corkboard.bbs.state;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.corkboard.proto.v1.Command;
import dev.corkboard.proto.v1.Resources;
import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskDefinition;
import dev.corkboard.proto.v1.TaskState;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** Stored records, requests and decision unwrapping shared by the state machine tests. */
final class TaskFixtures {

    static final String GUID = "task-1";
    static final String DOMAIN = "stager.example";
    static final String OWNER = "exec-a";
    static final String OTHER = "exec-b";
    static final String HANDLE = "container-1";
    static final String RESULT = "exit 0, 42 widgets";

    /** The stored fixtures were desired at T0, claimed at T0+1s, started at T0+2s and completed at T0+3s. */
    static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    /** Later than every timestamp in the stored fixtures. */
    static final Instant NOW = at(10);

    private TaskFixtures() {}

    static Instant at(long secondsAfterT0) {
        return T0.plus(Duration.ofSeconds(secondsAfterT0));
    }

    static long ms(Instant instant) {
        return instant.toEpochMilli();
    }

    static TaskDefinition definition() {
        return TaskDefinition.newBuilder()
                .setCommand(Command.newBuilder().setPath("/bin/stage").addArgs("--app").addArgs("demo"))
                .setResources(Resources.newBuilder().setMemoryMb(256).setDiskMb(1024).setCpuWeight(100)
                        .setMaxPids(64))
                .setTimeoutMs(60_000)
                .setResultFile("/tmp/result.json")
                .setCompletionCallbackUrl("https://stager.example/callbacks/task-1")
                .setAnnotation("{\"app\":\"demo\"}")
                .build();
    }

    static TaskDefinition otherDefinition() {
        return definition().toBuilder().setTimeoutMs(120_000).build();
    }

    // ---- stored records, each as the lifecycle would have left it

    static Task pending() {
        return Task.newBuilder().setGuid(GUID).setDomain(DOMAIN).setDefinition(definition())
                .setState(TaskState.PENDING).setCreatedAtMs(ms(T0)).setUpdatedAtMs(ms(T0)).build();
    }

    static Task claimed() {
        return pending().toBuilder().setState(TaskState.CLAIMED).setExecutorId(OWNER)
                .setClaimedAtMs(ms(at(1))).setUpdatedAtMs(ms(at(1))).build();
    }

    static Task running() {
        return claimed().toBuilder().setState(TaskState.RUNNING).setContainerHandle(HANDLE)
                .setUpdatedAtMs(ms(at(2))).build();
    }

    /** Completed successfully by {@link #OWNER} with {@link #RESULT}. */
    static Task completed() {
        return running().toBuilder().setState(TaskState.COMPLETED).setResult(RESULT)
                .setFirstCompletedAtMs(ms(at(3))).setUpdatedAtMs(ms(at(3))).build();
    }

    static Task completedFailed(String reason) {
        return completed().toBuilder().setFailed(true).setFailureReason(reason).setResult("").build();
    }

    static Task resolving() {
        return completed().toBuilder().setState(TaskState.RESOLVING).setUpdatedAtMs(ms(at(4))).build();
    }

    static Task inState(TaskState state) {
        return switch (state) {
            case PENDING -> pending();
            case CLAIMED -> claimed();
            case RUNNING -> running();
            case COMPLETED -> completed();
            case RESOLVING -> resolving();
            default -> throw new IllegalArgumentException("no fixture for " + state);
        };
    }

    // ---- requests

    static TaskRequest.Desire desire() {
        return new TaskRequest.Desire(GUID, DOMAIN, definition());
    }

    static TaskRequest.Desire desire(TaskDefinition definition) {
        return new TaskRequest.Desire(GUID, DOMAIN, definition);
    }

    static TaskRequest.Claim claim(String executor) {
        return new TaskRequest.Claim(GUID, executor);
    }

    static TaskRequest.Start start(String executor) {
        return new TaskRequest.Start(GUID, executor, HANDLE);
    }

    static TaskRequest.Reject reject(String executor, String reason) {
        return new TaskRequest.Reject(GUID, executor, reason);
    }

    static TaskRequest.Reject reject(String executor) {
        return reject(executor, "out of disk");
    }

    static TaskRequest.Complete succeed(String executor, String result) {
        return new TaskRequest.Complete(GUID, executor, false, "", result);
    }

    static TaskRequest.Complete succeed(String executor) {
        return succeed(executor, RESULT);
    }

    static TaskRequest.Complete failWith(String executor, String reason) {
        return new TaskRequest.Complete(GUID, executor, true, reason, "");
    }

    static TaskRequest.Cancel cancel() {
        return new TaskRequest.Cancel(GUID);
    }

    static TaskRequest.Fail fail(String reason) {
        return new TaskRequest.Fail(GUID, reason);
    }

    static TaskRequest.Resolving resolvingCall() {
        return new TaskRequest.Resolving(GUID);
    }

    static TaskRequest.Resolve resolve() {
        return new TaskRequest.Resolve(GUID);
    }

    // ---- deciding and unwrapping

    static Decision decide(Task current, TaskRequest request) {
        return new TaskLifecycle().decide(Optional.of(current), request, NOW);
    }

    static Decision decideAbsent(TaskRequest request) {
        return new TaskLifecycle().decide(Optional.empty(), request, NOW);
    }

    static Task written(Decision decision) {
        return assertInstanceOf(Decision.Write.class, decision).task();
    }

    static Task unchanged(Decision decision) {
        return assertInstanceOf(Decision.Unchanged.class, decision).task();
    }

    static TaskError refusal(Decision decision) {
        return assertInstanceOf(Decision.Refused.class, decision).error();
    }

    static TaskError.InvalidRequest invalidRequest(Decision decision) {
        return assertInstanceOf(TaskError.InvalidRequest.class, refusal(decision));
    }

    static TaskError.InvalidTransition invalidTransition(TaskState from, Call call) {
        return new TaskError.InvalidTransition(GUID, from, call.targetName(), call);
    }

    static TaskError.OwnedByAnotherExecutor ownedByAnother(Call call) {
        return new TaskError.OwnedByAnotherExecutor(GUID, OWNER, OTHER, call);
    }
}
