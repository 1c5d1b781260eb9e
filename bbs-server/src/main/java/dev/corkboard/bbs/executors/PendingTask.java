package dev.corkboard.bbs.executors;

import dev.corkboard.proto.v1.Resources;
import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskDefinition;
import java.util.Comparator;
import java.util.Set;

/** What the pending pool keeps of a pending task: enough to decide whether it fits an executor, nothing more. */
record PendingTask(String guid, long createdAtMs, int memoryMb, int diskMb, Set<String> placementTags,
        String runtime) {

    /** Oldest first; the guid breaks ties so that two tasks never compare equal. */
    static final Comparator<PendingTask> OLDEST_FIRST =
            Comparator.comparingLong(PendingTask::createdAtMs).thenComparing(PendingTask::guid);

    PendingTask {
        placementTags = Set.copyOf(placementTags);
    }

    static PendingTask of(Task task) {
        TaskDefinition definition = task.getDefinition();
        Resources resources = definition.getResources();
        return new PendingTask(task.getGuid(), task.getCreatedAtMs(), resources.getMemoryMb(), resources.getDiskMb(),
                Set.copyOf(definition.getPlacementTagsList()), definition.getRuntime());
    }

    /**
     * Whether the executor can take this task: its memory and disk fit in the free capacity, a container is free,
     * the executor carries every tag the task asks for, and it offers the task's runtime (if the task names one).
     */
    boolean fits(ExecutorOffer offer) {
        return memoryMb <= offer.free().getMemoryMb()
                && diskMb <= offer.free().getDiskMb()
                && offer.free().getContainers() >= 1
                && offer.placementTags().containsAll(placementTags)
                && (runtime.isEmpty() || offer.runtimes().contains(runtime));
    }
}
