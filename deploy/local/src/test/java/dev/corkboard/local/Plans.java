package dev.corkboard.local;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;

/** Plans for tests: fixed programs and consecutive ports from 20000, so every plan is the same. */
final class Plans {

    static final Programs PROGRAMS = new Programs("/jdk/bin/java", List.of("-Xmx256m"), "/usr/bin/etcd",
            "/repo/bbs.jar", "/repo/executor.jar", "/repo/converger.jar");

    private Plans() {}

    static ClusterState plan(Path dir, Topology topology, boolean sandbox) {
        List<Integer> ports = IntStream.range(20000, 20000 + Ports.needed(topology)).boxed().toList();
        return ClusterPlan.plan(dir, topology, PROGRAMS, sandbox, "c0ffee", "", ports);
    }
}
