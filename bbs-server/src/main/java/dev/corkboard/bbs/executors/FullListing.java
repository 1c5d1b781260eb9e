package dev.corkboard.bbs.executors;

import dev.corkboard.bbs.store.EtcdTaskStore;
import dev.corkboard.bbs.store.TaskFilter;
import dev.corkboard.bbs.store.TaskPage;
import dev.corkboard.proto.v1.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Every task a filter matches, read page by page at the revision of the first page (one snapshot), with that
 * revision: watch after it to follow what changed since. Fails like the store's listing: {@code Unavailable} when
 * etcd does not answer within the request timeout.
 */
record FullListing(List<Task> tasks, long revision) {

    /** Large pages: these listings serve the BBS itself, not a caller that pages. */
    private static final int PAGE_SIZE = 1000;

    static CompletableFuture<FullListing> of(EtcdTaskStore store, TaskFilter filter) {
        return next(store, filter, Optional.empty(), new ArrayList<>());
    }

    private static CompletableFuture<FullListing> next(EtcdTaskStore store, TaskFilter filter, Optional<String> token,
            List<Task> collected) {
        return store.list(filter, PAGE_SIZE, token).thenCompose((TaskPage page) -> {
            collected.addAll(page.tasks());
            if (page.nextPageToken().isEmpty()) {
                return CompletableFuture.completedFuture(new FullListing(List.copyOf(collected), page.revision()));
            }
            return next(store, filter, page.nextPageToken(), collected);
        });
    }
}
