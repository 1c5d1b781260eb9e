package dev.corkboard.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TopologyTest {

    @Test
    void theDefaultIsOneEtcdAndTwoOfEverythingElse() {
        assertEquals(new Topology(1, 2, 2, 2), Topology.DEFAULT);
    }

    @Test
    void etcdRunsAsOneMemberOrThree() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Topology(2, 2, 2, 2));

        assertEquals("--etcd: expected 1 or 3, got 2", e.getMessage());
    }

    @Test
    void everyBadCountIsNamedAtOnce() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Topology(1, 0, 10, -1));

        assertEquals("--bbs: expected 1 to 9, got 0\n--executors: expected 0 to 9, got 10\n"
                + "--convergers: expected 0 to 9, got -1", e.getMessage());
    }

    @Test
    void aClusterMayHaveNoExecutorsOrConvergers() {
        assertEquals(0, new Topology(3, 1, 0, 0).count(Role.EXECUTOR));
    }
}
