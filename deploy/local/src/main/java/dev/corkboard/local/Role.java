package dev.corkboard.local;

import com.google.gson.annotations.SerializedName;
import java.util.List;

/**
 * What a member process of the local cluster is. Each role names the ports it listens on (the first is the one
 * clients use) and the HTTP path that says whether it is healthy.
 */
enum Role {
    @SerializedName("etcd")
    ETCD("etcd", List.of("client", "peer"), "client", "/health"),
    @SerializedName("bbs")
    BBS("bbs", List.of("grpc", "metrics"), "metrics", "/healthz"),
    @SerializedName("executor")
    EXECUTOR("executor", List.of("grpc", "metrics"), "metrics", "/healthz"),
    @SerializedName("converger")
    CONVERGER("converger", List.of("metrics"), "metrics", "/healthz");

    private final String label;
    private final List<String> ports;
    private final String healthPort;
    private final String healthPath;

    Role(String label, List<String> ports, String healthPort, String healthPath) {
        this.label = label;
        this.ports = ports;
        this.healthPort = healthPort;
        this.healthPath = healthPath;
    }

    /** The lower-case name used in process names ({@code bbs-1}) and in the state file. */
    String label() {
        return label;
    }

    /** Names of the ports a member of this role listens on. */
    List<String> ports() {
        return ports;
    }

    /** The name of the port that serves {@link #healthPath()}. */
    String healthPort() {
        return healthPort;
    }

    /**
     * etcd's {@code /health} answers 200 once the member has a leader; the Corkboard processes' {@code /healthz}
     * answers 200 while they serve (the BBS only once etcd has answered it).
     */
    String healthPath() {
        return healthPath;
    }
}
