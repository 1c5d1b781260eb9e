package dev.corkboard.bbs.executors;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The pending tasks this replica knows of, oldest first, with the ones a claim is in flight for set aside
 * (reserved) so that two callers of this replica never race each other for the same task. Bounded: beyond its
 * capacity a newly pending task is left out and counted; the converger re-announces pending tasks every kick
 * interval, and the task is taken in then if there is room.
 *
 * <p>Not thread-safe: {@link ClaimBroker} guards it with its lock. No I/O.
 */
final class PendingPool {

    private final int capacity;
    private final TreeSet<PendingTask> byAge = new TreeSet<>(PendingTask.OLDEST_FIRST);
    private final Map<String, PendingTask> byGuid = new HashMap<>();
    private final Set<String> reserved = new HashSet<>();
    private long leftOut;

    PendingPool(int capacity) {
        this.capacity = capacity;
    }

    /** Adds or refreshes a task; true when it was not in the pool before (newly pending here). */
    boolean add(PendingTask task) {
        PendingTask old = byGuid.get(task.guid());
        if (old != null) {
            byAge.remove(old);
            byAge.add(task);
            byGuid.put(task.guid(), task);
            return false;
        }
        if (byGuid.size() >= capacity) {
            leftOut++;
            return false;
        }
        byAge.add(task);
        byGuid.put(task.guid(), task);
        return true;
    }

    /** Removes a task: claimed, cancelled, or no longer pending. */
    void remove(String guid) {
        PendingTask old = byGuid.remove(guid);
        if (old != null) {
            byAge.remove(old);
        }
        reserved.remove(guid);
    }

    /** The oldest unreserved task that fits, now reserved; empty when none fits. */
    Optional<PendingTask> reserveOldestFitting(ExecutorOffer offer) {
        for (PendingTask task : byAge) {
            if (!reserved.contains(task.guid()) && task.fits(offer)) {
                reserved.add(task.guid());
                return Optional.of(task);
            }
        }
        return Optional.empty();
    }

    /** Reserves this task if it is in the pool and not reserved yet. */
    boolean reserve(String guid) {
        return byGuid.containsKey(guid) && reserved.add(guid);
    }

    /** Whether the task is in the pool and no claim is in flight for it. */
    boolean reservable(String guid) {
        return byGuid.containsKey(guid) && !reserved.contains(guid);
    }

    /** A claim of the task failed without settling it (etcd unreachable): others may try it again. */
    void release(String guid) {
        reserved.remove(guid);
    }

    /** Empties the pool except for reserved tasks, whose claims are still in flight and will settle them. */
    void clearUnreserved() {
        byAge.removeIf(task -> !reserved.contains(task.guid()));
        byGuid.keySet().retainAll(reserved);
    }

    boolean contains(String guid) {
        return byGuid.containsKey(guid);
    }

    int size() {
        return byGuid.size();
    }

    /** Tasks left out because the pool was full. */
    long leftOut() {
        return leftOut;
    }
}
