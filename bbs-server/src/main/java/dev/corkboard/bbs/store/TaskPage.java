package dev.corkboard.bbs.store;

import dev.corkboard.proto.v1.Task;
import java.util.List;
import java.util.Optional;

/**
 * One page of a listing, read at one etcd revision. Every page of one listing is read at the revision of its first
 * page, so the pages together are a consistent snapshot; watch from {@link #revision()} + 1 to follow what changed.
 */
public record TaskPage(List<Task> tasks, Optional<String> nextPageToken, long revision) {}
