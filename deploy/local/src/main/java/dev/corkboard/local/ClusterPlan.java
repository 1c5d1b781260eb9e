package dev.corkboard.local;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Lays out a new cluster: names, ports, directories and the command line of every member. Pure: the ports are given,
 * so the same input gives the same plan.
 */
final class ClusterPlan {

    /** A JVM system property naming the member, so the cluster directory is on every member's command line. */
    static final String MEMBER_PROPERTY = "-Dcorkboard.local.member=";

    private ClusterPlan() {}

    /**
     * @param sandbox whether executors use their default sandbox runtime (root only) or {@code --runtime process}
     * @param executorTtl the BBS replicas' {@code --executor-ttl}; empty: their default
     * @param ports at least {@link Ports#needed(Topology)} distinct ports, used in order
     */
    static ClusterState plan(Path dir, Topology topology, Programs programs, boolean sandbox, String clusterId,
            String executorTtl, List<Integer> ports) {
        if (ports.size() < Ports.needed(topology)) {
            throw new IllegalArgumentException("needs " + Ports.needed(topology) + " ports, got " + ports.size());
        }
        Iterator<Integer> free = ports.iterator();
        Map<Role, List<Map<String, Integer>>> assigned = new LinkedHashMap<>();
        for (Role role : Role.values()) {
            List<Map<String, Integer>> members = new ArrayList<>();
            for (int i = 0; i < topology.count(role); i++) {
                Map<String, Integer> named = new LinkedHashMap<>();
                role.ports().forEach(name -> named.put(name, free.next()));
                members.add(named);
            }
            assigned.put(role, members);
        }
        List<String> etcdEndpoints = urls(assigned.get(Role.ETCD), "client");
        List<String> bbsEndpoints = assigned.get(Role.BBS).stream().map(p -> address(p.get("grpc"))).toList();
        String initialCluster = initialCluster(assigned.get(Role.ETCD));

        Layout layout = new Layout(dir, programs, clusterId, etcdEndpoints, bbsEndpoints, sandbox, executorTtl);
        List<Member> members = new ArrayList<>();
        for (Role role : Role.values()) {
            List<Map<String, Integer>> rolePorts = assigned.get(role);
            for (int i = 0; i < rolePorts.size(); i++) {
                String name = role.label() + "-" + (i + 1);
                members.add(switch (role) {
                    case ETCD -> layout.etcd(name, rolePorts.get(i), initialCluster);
                    case BBS -> layout.bbs(name, rolePorts.get(i));
                    case EXECUTOR -> layout.executor(name, rolePorts.get(i));
                    case CONVERGER -> layout.converger(name, rolePorts.get(i));
                });
            }
        }
        return new ClusterState(dir.toString(), clusterId, topology, etcdEndpoints, bbsEndpoints, members,
                executorTtl);
    }

    static String address(int port) {
        return Member.LOOPBACK + ":" + port;
    }

    private static String url(int port) {
        return "http://" + address(port);
    }

    private static List<String> urls(List<Map<String, Integer>> ports, String name) {
        return ports.stream().map(p -> url(p.get(name))).toList();
    }

    private static String initialCluster(List<Map<String, Integer>> etcdPorts) {
        List<String> entries = new ArrayList<>();
        for (int i = 0; i < etcdPorts.size(); i++) {
            entries.add("etcd-" + (i + 1) + "=" + url(etcdPorts.get(i).get("peer")));
        }
        return String.join(",", entries);
    }

    /** What the members of one cluster share, and the command line of each role. */
    private record Layout(Path dir, Programs programs, String clusterId, List<String> etcdEndpoints,
            List<String> bbsEndpoints, boolean sandbox, String executorTtl) {

        Member etcd(String name, Map<String, Integer> ports, String initialCluster) {
            Path data = dir.resolve("data").resolve(name);
            String client = url(ports.get("client"));
            String peer = url(ports.get("peer"));
            // etcd reads the initial-cluster flags only while its data directory is empty, so the same command
            // restarts a member from its WAL with its old identity.
            List<String> command = List.of(programs.etcd(), "--name=" + name, "--data-dir=" + data,
                    "--listen-client-urls=" + client, "--advertise-client-urls=" + client,
                    "--listen-peer-urls=" + peer, "--initial-advertise-peer-urls=" + peer,
                    "--initial-cluster=" + initialCluster, "--initial-cluster-state=new",
                    "--initial-cluster-token=corkboard-" + clusterId, "--logger=zap", "--log-outputs=stderr");
            return member(name, Role.ETCD, name, command, ports, data.toString());
        }

        Member bbs(String name, Map<String, Integer> ports) {
            List<String> command = java(name, programs.bbsJar());
            command.addAll(List.of("--listen", address(ports.get("grpc")),
                    "--metrics-listen", address(ports.get("metrics")),
                    "--etcd-endpoints", String.join(",", etcdEndpoints),
                    "--shutdown-grace-period", "5s"));
            if (!executorTtl.isEmpty()) {
                command.addAll(List.of("--executor-ttl", executorTtl));
            }
            return member(name, Role.BBS, name, command, ports, "");
        }

        Member executor(String name, Map<String, Integer> ports) {
            // Task cgroups are host-wide and an agent removes every one carrying its id: the cluster id keeps the
            // executors of two local clusters on one host apart.
            String executorId = name + "-" + clusterId;
            Path work = dir.resolve("data").resolve(name);
            List<String> command = java(name, programs.executorJar());
            command.addAll(List.of("--executor-id", executorId,
                    "--bbs", String.join(",", bbsEndpoints),
                    "--listen", address(ports.get("grpc")),
                    "--metrics-listen", address(ports.get("metrics")),
                    "--work-dir", work.toString(),
                    "--drain-timeout", "5s"));
            if (!sandbox) {
                command.addAll(List.of("--runtime", "process"));
            }
            return member(name, Role.EXECUTOR, executorId, command, ports, work.toString());
        }

        Member converger(String name, Map<String, Integer> ports) {
            List<String> command = java(name, programs.convergerJar());
            command.addAll(List.of("--converger-id", name,
                    "--etcd-endpoints", String.join(",", etcdEndpoints),
                    "--metrics-listen", address(ports.get("metrics"))));
            return member(name, Role.CONVERGER, name, command, ports, "");
        }

        private List<String> java(String name, String jar) {
            List<String> command = new ArrayList<>();
            command.add(programs.java());
            command.addAll(programs.javaOptions());
            command.add(MEMBER_PROPERTY + dir.resolve(name));
            command.add("-jar");
            command.add(jar);
            return command;
        }

        private Member member(String name, Role role, String id, List<String> command, Map<String, Integer> ports,
                String dataDir) {
            String log = dir.resolve("logs").resolve(name + ".log").toString();
            return new Member(name, role, id, command, ports, dataDir, log, 0);
        }
    }
}
