package dev.corkboard.bbs.store;

import dev.corkboard.proto.v1.TaskState;
import java.util.Optional;

/** Which tasks a listing returns; an empty field matches every task. */
public record TaskFilter(Optional<TaskState> state, Optional<String> domain, Optional<String> executorId) {

    public static TaskFilter all() {
        return new TaskFilter(Optional.empty(), Optional.empty(), Optional.empty());
    }

    public static TaskFilter inState(TaskState state) {
        return all().withState(state);
    }

    public TaskFilter withState(TaskState newState) {
        return new TaskFilter(Optional.of(newState), domain, executorId);
    }

    public TaskFilter withDomain(String newDomain) {
        return new TaskFilter(state, Optional.of(newDomain), executorId);
    }

    public TaskFilter withExecutor(String newExecutorId) {
        return new TaskFilter(state, domain, Optional.of(newExecutorId));
    }
}
