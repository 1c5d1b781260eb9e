package dev.corkboard.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ClusterPlanTest {

    private final Path dir = Path.of("/tmp/corkboard-plan-test");

    @Test
    void membersAreNamedByRoleAndNumber() {
        ClusterState state = Plans.plan(dir, Topology.DEFAULT, true);

        assertEquals(List.of("etcd-1", "bbs-1", "bbs-2", "executor-1", "executor-2", "converger-1", "converger-2"),
                state.processes().stream().map(Member::name).toList());
    }

    @Test
    void noTwoMembersShareAPort() {
        ClusterState state = Plans.plan(dir, new Topology(3, 3, 3, 3), true);

        List<Integer> ports = state.processes().stream().flatMap(m -> m.ports().values().stream()).toList();
        assertEquals(ports.size(), new HashSet<>(ports).size());
    }

    @Test
    void threeEtcdMembersBootstrapOneClusterTogether() {
        ClusterState state = Plans.plan(dir, new Topology(3, 1, 0, 0), true);

        Set<String> initialClusters = new HashSet<>();
        for (Member etcd : state.members(Role.ETCD)) {
            etcd.command().stream().filter(arg -> arg.startsWith("--initial-cluster=")).forEach(initialClusters::add);
        }
        assertEquals(Set.of("--initial-cluster=etcd-1=http://127.0.0.1:20001,etcd-2=http://127.0.0.1:20003,"
                + "etcd-3=http://127.0.0.1:20005"), initialClusters);
        assertEquals(List.of("http://127.0.0.1:20000", "http://127.0.0.1:20002", "http://127.0.0.1:20004"),
                state.etcdEndpoints());
    }

    @Test
    void bbsEndpointsAreTheReplicasGrpcPortsAndEveryExecutorKnowsThemAll() {
        ClusterState state = Plans.plan(dir, Topology.DEFAULT, true);

        List<String> grpc = state.members(Role.BBS).stream()
                .map(m -> ClusterPlan.address(m.port("grpc"))).toList();
        assertEquals(grpc, state.bbsEndpoints());
        for (Member executor : state.members(Role.EXECUTOR)) {
            assertTrue(follows(executor.command(), "--bbs", String.join(",", grpc)), executor.command().toString());
        }
    }

    @Test
    void executorIdsCarryTheClusterIdAndWorkDirsAreTheirOwn() {
        ClusterState state = Plans.plan(dir, Topology.DEFAULT, true);

        Member first = state.member("executor-1").orElseThrow();
        assertEquals("executor-1-c0ffee", first.id());
        assertTrue(follows(first.command(), "--executor-id", "executor-1-c0ffee"));
        assertTrue(follows(first.command(), "--work-dir", dir.resolve("data/executor-1").toString()));
    }

    @Test
    void withoutTheSandboxExecutorsRunTasksAsPlainProcesses() {
        ClusterState sandboxed = Plans.plan(dir, Topology.DEFAULT, true);
        ClusterState plain = Plans.plan(dir, Topology.DEFAULT, false);

        for (Member executor : sandboxed.members(Role.EXECUTOR)) {
            assertFalse(executor.command().contains("--runtime"));
        }
        for (Member executor : plain.members(Role.EXECUTOR)) {
            assertTrue(follows(executor.command(), "--runtime", "process"));
        }
    }

    @Test
    void everyCommandNamesTheClusterDirectorySoItsProcessesCanBeFound() {
        for (Member member : Plans.plan(dir, Topology.DEFAULT, true).processes()) {
            assertTrue(member.command().stream().anyMatch(arg -> arg.contains(dir.toString())), member.name());
            assertEquals(dir.resolve("logs").resolve(member.name() + ".log").toString(), member.log());
        }
    }

    @Test
    void healthIsAskedOnEachRolesOwnEndpoint() {
        ClusterState state = Plans.plan(dir, Topology.DEFAULT, true);

        assertEquals("http://127.0.0.1:20000/health", state.member("etcd-1").orElseThrow().healthUrl());
        Member bbs = state.member("bbs-1").orElseThrow();
        assertEquals("http://127.0.0.1:" + bbs.port("metrics") + "/healthz", bbs.healthUrl());
    }

    @Test
    void tooFewPortsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> ClusterPlan.plan(dir, Topology.DEFAULT, Plans.PROGRAMS,
                true, "c0ffee", "", List.of(1, 2, 3)));
    }

    @Test
    void anExecutorTtlGoesToEveryBbsReplicaAndIsRecorded() {
        List<Integer> ports = IntStream.range(20000, 20000 + Ports.needed(Topology.DEFAULT)).boxed().toList();
        ClusterState state = ClusterPlan.plan(dir, Topology.DEFAULT, Plans.PROGRAMS, true, "c0ffee", "5s", ports);

        assertEquals("5s", state.executorTtl());
        for (Member bbs : state.members(Role.BBS)) {
            assertTrue(follows(bbs.command(), "--executor-ttl", "5s"), bbs.command().toString());
        }
        assertTrue(state.processes().stream().filter(member -> member.role() != Role.BBS)
                .noneMatch(member -> member.command().contains("--executor-ttl")));
    }

    @Test
    void withoutAnExecutorTtlTheBbsKeepsItsDefault() {
        for (Member bbs : Plans.plan(dir, Topology.DEFAULT, true).members(Role.BBS)) {
            assertFalse(bbs.command().contains("--executor-ttl"));
        }
    }

    private static boolean follows(List<String> command, String flag, String value) {
        return Collections.indexOfSubList(command, List.of(flag, value)) >= 0;
    }
}
