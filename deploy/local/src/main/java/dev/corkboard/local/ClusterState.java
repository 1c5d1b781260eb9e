package dev.corkboard.local;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Everything known about one local cluster, kept in {@code DIR/cluster.json} between commands.
 *
 * @param dir the cluster directory (absolute)
 * @param clusterId a random id chosen when the cluster was first planned; it makes executor ids unique on this host,
 *     which matters because task cgroups are host-wide and an executor removes every cgroup carrying its id
 * @param topology the shape it was planned with
 * @param etcdEndpoints etcd client URLs
 * @param bbsEndpoints BBS gRPC addresses, {@code host:port}, as {@code cork --bbs} takes them
 * @param processes every member, in start order
 * @param executorTtl the {@code --executor-ttl} every BBS replica runs with; empty: the BBS's default (also when a
 *     state file written before the setting existed has none)
 */
record ClusterState(String dir, String clusterId, Topology topology, List<String> etcdEndpoints,
        List<String> bbsEndpoints, List<Member> processes, String executorTtl) {

    ClusterState {
        executorTtl = executorTtl == null ? "" : executorTtl;
        etcdEndpoints = List.copyOf(etcdEndpoints);
        bbsEndpoints = List.copyOf(bbsEndpoints);
        processes = List.copyOf(processes);
    }

    Optional<Member> member(String name) {
        return processes.stream().filter(member -> member.name().equals(name)).findFirst();
    }

    List<Member> members(Role role) {
        return processes.stream().filter(member -> member.role() == role).toList();
    }

    /** This state with the member of the same name replaced. */
    ClusterState with(Member changed) {
        List<Member> updated = new ArrayList<>(processes.size());
        for (Member member : processes) {
            updated.add(member.name().equals(changed.name()) ? changed : member);
        }
        return new ClusterState(dir, clusterId, topology, etcdEndpoints, bbsEndpoints, updated, executorTtl);
    }
}
