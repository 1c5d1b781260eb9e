package dev.corkboard.e2e;

import com.google.gson.FieldNamingPolicy;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * What {@code deploy/local/cluster status --json} prints: the cluster's directory, its client endpoints and one entry
 * per member process.
 */
record ClusterStatus(String dir, List<String> etcdEndpoints, List<String> bbsEndpoints, List<Member> processes) {

    private static final Gson GSON = new GsonBuilder()
            .setFieldNamingPolicy(FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES).create();

    /**
     * One member process: {@code etcd-1}, {@code bbs-2}, {@code executor-1}, {@code converger-1}, …; its
     * {@code id} is its identity in the cluster (an executor's id, for one).
     */
    record Member(String name, String role, String id, long pid, Map<String, Integer> ports, String health,
            String log) {}

    static ClusterStatus parse(String json) {
        return GSON.fromJson(json, ClusterStatus.class);
    }

    /** The BBS endpoints as the stager client takes them: {@code host:port,host:port}. */
    String bbsCsv() {
        return String.join(",", bbsEndpoints);
    }

    /** The member whose identity in the cluster this is: for an executor, the executor id its tasks name. */
    Member memberWithId(String id) {
        return processes.stream().filter(member -> member.id().equals(id)).findFirst()
                .orElseThrow(() -> new NoSuchElementException("no member has id " + id + ": " + this));
    }

    /** The etcd member whose client endpoint this is, matched by port. */
    Member etcdMemberAt(String endpoint) {
        int port = URI.create(endpoint).getPort();
        return processes.stream()
                .filter(member -> member.name().startsWith("etcd-") && member.ports().containsValue(port))
                .findFirst()
                .orElseThrow(() -> new NoSuchElementException("no etcd member listens on " + endpoint + ": " + this));
    }
}
