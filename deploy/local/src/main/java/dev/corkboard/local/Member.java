package dev.corkboard.local;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One process of the local cluster as the state file keeps it: enough for a later {@code cluster} command, in a new
 * JVM, to tell whether it runs, to signal it, and to start it again exactly as before (same command, ports and data).
 *
 * @param name process name: {@code etcd-1}, {@code bbs-2}, {@code executor-1}, {@code converger-1}, …
 * @param id the identity the process has in the cluster: etcd member name, executor id, converger id, or the name
 * @param command the argument vector it runs, without the {@code setsid} that detaches it; it names the cluster
 *     directory, so {@code pgrep -f DIR} finds every member, and {@code /proc/PID/cmdline} must equal it for a
 *     recorded pid to count as this member (a reused pid does not)
 * @param ports the loopback ports it listens on, by the names its {@link Role} gives them
 * @param dataDir what it keeps between restarts (etcd's data, an executor's work directory); empty for the others
 * @param log the file its stdout and stderr are appended to
 * @param pid the pid it was last started with; 0 when it never was
 */
record Member(String name, Role role, String id, List<String> command, Map<String, Integer> ports, String dataDir,
        String log, long pid) {

    static final String LOOPBACK = "127.0.0.1";

    Member {
        command = List.copyOf(command);
        ports = Collections.unmodifiableMap(new LinkedHashMap<>(ports));
    }

    Member withPid(long newPid) {
        return new Member(name, role, id, command, ports, dataDir, log, newPid);
    }

    int port(String portName) {
        Integer port = ports.get(portName);
        if (port == null) {
            throw new IllegalStateException(name + " has no " + portName + " port");
        }
        return port;
    }

    /** Where a plain HTTP GET tells whether this member is healthy. */
    String healthUrl() {
        return "http://" + LOOPBACK + ":" + port(role.healthPort()) + role.healthPath();
    }
}
