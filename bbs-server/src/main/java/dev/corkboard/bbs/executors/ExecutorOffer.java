package dev.corkboard.bbs.executors;

import dev.corkboard.proto.v1.Capacity;
import dev.corkboard.proto.v1.ClaimNextRequest;
import java.util.Set;

/** What an executor asking for work can take now: its free capacity, placement tags and runtimes. */
public record ExecutorOffer(String executorId, Capacity free, Set<String> placementTags, Set<String> runtimes) {

    public ExecutorOffer {
        placementTags = Set.copyOf(placementTags);
        runtimes = Set.copyOf(runtimes);
    }

    public static ExecutorOffer of(ClaimNextRequest request) {
        return new ExecutorOffer(request.getExecutorId(), request.getFree(), Set.copyOf(request.getPlacementTagsList()),
                Set.copyOf(request.getRuntimesList()));
    }
}
