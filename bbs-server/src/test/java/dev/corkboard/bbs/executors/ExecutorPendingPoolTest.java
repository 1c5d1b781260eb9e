package dev.corkboard.bbs.executors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corkboard.proto.v1.Capacity;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The pending pool's rules, without etcd: what fits, oldest first, reservations, and its bound. */
class ExecutorPendingPoolTest {

    private static final ExecutorOffer OFFER = new ExecutorOffer("cell-1",
            Capacity.newBuilder().setMemoryMb(1024).setDiskMb(100).setContainers(1).build(), Set.of("ssd"),
            Set.of("process"));

    private static PendingTask task(String guid, long createdAt, int memoryMb, Set<String> tags, String runtime) {
        return new PendingTask(guid, createdAt, memoryMb, 0, tags, runtime);
    }

    @Test
    void aTaskFitsOnlyWithinFreeCapacityTagsAndRuntimes() {
        assertTrue(task("t", 1, 1024, Set.of("ssd"), "process").fits(OFFER));
        assertTrue(task("t", 1, 0, Set.of(), "").fits(OFFER));
        assertFalse(task("t", 1, 1025, Set.of(), "").fits(OFFER));
        assertFalse(new PendingTask("t", 1, 0, 101, Set.of(), "").fits(OFFER));
        assertFalse(task("t", 1, 0, Set.of("ssd", "gpu"), "").fits(OFFER));
        assertFalse(task("t", 1, 0, Set.of(), "sandbox").fits(OFFER));
        ExecutorOffer noContainer = new ExecutorOffer("cell-1", OFFER.free().toBuilder().setContainers(0).build(),
                OFFER.placementTags(), OFFER.runtimes());
        assertFalse(task("t", 1, 0, Set.of(), "").fits(noContainer));
    }

    @Test
    void theOldestFittingUnreservedTaskIsReservedFirst() {
        PendingPool pool = new PendingPool(10);
        pool.add(task("young", 30, 0, Set.of(), ""));
        pool.add(task("old-but-big", 10, 4096, Set.of(), ""));
        pool.add(task("old", 20, 0, Set.of(), ""));

        assertEquals(Optional.of("old"), pool.reserveOldestFitting(OFFER).map(PendingTask::guid));
        assertEquals(Optional.of("young"), pool.reserveOldestFitting(OFFER).map(PendingTask::guid));
        assertEquals(Optional.empty(), pool.reserveOldestFitting(OFFER));
        pool.release("old");
        assertEquals(Optional.of("old"), pool.reserveOldestFitting(OFFER).map(PendingTask::guid));
    }

    @Test
    void aFullPoolLeavesNewTasksOutAndTakesThemWhenThereIsRoom() {
        PendingPool pool = new PendingPool(1);
        assertTrue(pool.add(task("a", 1, 0, Set.of(), "")));
        assertFalse(pool.add(task("b", 2, 0, Set.of(), "")));
        assertEquals(1, pool.leftOut());

        pool.remove("a");

        assertTrue(pool.add(task("b", 2, 0, Set.of(), "")), "re-announced by the converger's kick");
        assertEquals(1, pool.size());
    }

    @Test
    void clearingKeepsOnlyTasksWithAClaimInFlight() {
        PendingPool pool = new PendingPool(10);
        pool.add(task("a", 1, 0, Set.of(), ""));
        pool.add(task("b", 2, 0, Set.of(), ""));
        pool.reserve("a");

        pool.clearUnreserved();

        assertTrue(pool.contains("a"));
        assertFalse(pool.contains("b"));
        assertEquals(Optional.empty(), pool.reserveOldestFitting(OFFER));
    }
}
