package dev.corkboard.local;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What {@code status} prints: the cluster's endpoints and each member's health. {@code --json} prints this record
 * with snake_case keys: {@code dir}, {@code cluster_id}, {@code etcd_endpoints}, {@code bbs_endpoints} and
 * {@code processes}, each with {@code name}, {@code role}, {@code id}, {@code pid} (0 when down), {@code ports},
 * {@code health} ({@code up}, {@code unhealthy}, {@code down}), {@code log} and {@code data_dir}.
 */
record StatusReport(String dir, String clusterId, List<String> etcdEndpoints, List<String> bbsEndpoints,
        List<Entry> processes) {

    record Entry(String name, Role role, String id, long pid, Map<String, Integer> ports, Health health, String log,
            String dataDir) {}

    static StatusReport of(ClusterState state) throws InterruptedException {
        List<Entry> entries = new ArrayList<>();
        for (Member member : state.processes()) {
            Health health = Health.of(member);
            entries.add(new Entry(member.name(), member.role(), member.id(), health == Health.DOWN ? 0 : member.pid(),
                    member.ports(), health, member.log(), member.dataDir()));
        }
        return new StatusReport(state.dir(), state.clusterId(), state.etcdEndpoints(), state.bbsEndpoints(), entries);
    }

    boolean allUp() {
        return processes.stream().allMatch(entry -> entry.health() == Health.UP);
    }

    String json() {
        return StateFile.GSON.toJson(this);
    }

    void printTable(PrintWriter out) {
        String format = "%-12s %-10s %-26s %-8s %-10s %s%n";
        out.printf(format, "NAME", "ROLE", "ID", "PID", "HEALTH", "PORTS");
        for (Entry entry : processes) {
            String ports = entry.ports().entrySet().stream()
                    .map(port -> port.getKey() + "=" + port.getValue())
                    .collect(Collectors.joining(" "));
            out.printf(format, entry.name(), entry.role().label(), entry.id(),
                    entry.pid() == 0 ? "-" : Long.toString(entry.pid()), entry.health().label(), ports);
        }
    }

    void printEndpoints(PrintWriter out) {
        out.printf("%-20s %s%n", "etcd", String.join(",", etcdEndpoints));
        out.printf("%-20s %s%n", "BBS (cork)", String.join(",", bbsEndpoints));
        for (Entry entry : processes) {
            if (entry.role() != Role.ETCD) {
                out.printf("%-20s http://%s/metrics%n", entry.name() + " metrics",
                        ClusterPlan.address(entry.ports().get("metrics")));
            }
        }
        out.printf("%-20s %s/logs%n", "logs", dir);
    }
}
