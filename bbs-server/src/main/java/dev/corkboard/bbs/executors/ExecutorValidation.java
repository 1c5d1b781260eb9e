package dev.corkboard.bbs.executors;

import dev.corkboard.bbs.state.TaskError;
import dev.corkboard.bbs.state.TaskValidation;
import dev.corkboard.proto.v1.Capacity;
import dev.corkboard.proto.v1.ClaimNextRequest;
import dev.corkboard.proto.v1.DeregisterRequest;
import dev.corkboard.proto.v1.HeartbeatRequest;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Field checks of the executor calls, with the same rules as task calls: executor ids like other identifiers, no
 * negative capacity, lease or wait. A refusal names the field by its protobuf path, e.g. {@code free.memory_mb}.
 */
public final class ExecutorValidation {

    private ExecutorValidation() {}

    public static Optional<TaskError.InvalidRequest> check(HeartbeatRequest request) {
        return first(TaskValidation.identifier("presence.executor_id", request.getPresence().getExecutorId()),
                capacity("presence.capacity", request.getPresence().getCapacity()),
                nonNegative("lease_id", request.getLeaseId()));
    }

    public static Optional<TaskError.InvalidRequest> check(DeregisterRequest request) {
        return first(TaskValidation.identifier("executor_id", request.getExecutorId()),
                nonNegative("lease_id", request.getLeaseId()));
    }

    public static Optional<TaskError.InvalidRequest> check(ClaimNextRequest request) {
        return first(TaskValidation.identifier("executor_id", request.getExecutorId()),
                capacity("free", request.getFree()), nonNegative("wait_ms", request.getWaitMs()));
    }

    public static Optional<TaskError.InvalidRequest> executorId(String executorId) {
        return TaskValidation.identifier("executor_id", executorId);
    }

    private static Optional<TaskError.InvalidRequest> capacity(String field, Capacity capacity) {
        return first(nonNegative(field + ".memory_mb", capacity.getMemoryMb()),
                nonNegative(field + ".disk_mb", capacity.getDiskMb()),
                nonNegative(field + ".containers", capacity.getContainers()));
    }

    private static Optional<TaskError.InvalidRequest> nonNegative(String field, long value) {
        return value < 0 ? Optional.of(new TaskError.InvalidRequest(field, "must not be negative, was " + value))
                : Optional.empty();
    }

    @SafeVarargs
    private static Optional<TaskError.InvalidRequest> first(Optional<TaskError.InvalidRequest>... checks) {
        return Stream.of(checks).flatMap(Optional::stream).findFirst();
    }
}
