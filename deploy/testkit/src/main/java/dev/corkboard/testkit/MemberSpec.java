package dev.corkboard.testkit;

import java.util.ArrayList;
import java.util.List;

/**
 * Everything that identifies one etcd member on the wire: its name, its loopback ports and the
 * static bootstrap of the cluster it belongs to. Kept unchanged across restarts so clients and
 * peers find the member where they left it.
 */
record MemberSpec(
        String name,
        int clientPort,
        int peerPort,
        String initialCluster,
        String clusterToken,
        List<String> extraFlags) {

    /**
     * Flags every test member gets. Short raft timings make elections after a kill take well under a
     * second; a large backend quota keeps tests that write a lot from hitting the NOSPACE alarm; zap
     * is needed because etcd 3.4's default capnslog logger ignores --log-level.
     */
    static final List<String> TEST_TUNING =
            List.of(
                    "--heartbeat-interval=50",
                    "--election-timeout=500",
                    "--quota-backend-bytes=4294967296",
                    "--logger=zap",
                    "--log-level=warn",
                    "--log-outputs=stderr");

    MemberSpec {
        extraFlags = List.copyOf(extraFlags);
    }

    /** A member that is a whole cluster by itself. */
    static MemberSpec alone(
            String name, int clientPort, int peerPort, String token, List<String> extraFlags) {
        return new MemberSpec(
                name, clientPort, peerPort, name + "=" + loopbackUrl(peerPort), token, extraFlags);
    }

    static String loopbackUrl(int port) {
        return "http://127.0.0.1:" + port;
    }

    String clientUrl() {
        return loopbackUrl(clientPort);
    }

    String peerUrl() {
        return loopbackUrl(peerPort);
    }

    /** This member's entry in an {@code --initial-cluster} list. */
    String clusterEntry() {
        return name + "=" + peerUrl();
    }

    /**
     * The command-line flags, parameterised by the addresses that differ between a local process and
     * a container. Extra flags come last so they override the test tuning (etcd keeps the last value
     * of a repeated flag).
     */
    List<String> flags(
            String dataDir,
            String listenClientUrl,
            String listenPeerUrl,
            String advertisePeerUrl,
            String bootstrapCluster) {
        List<String> flags = new ArrayList<>();
        flags.add("--name=" + name);
        flags.add("--data-dir=" + dataDir);
        flags.add("--listen-client-urls=" + listenClientUrl);
        flags.add("--advertise-client-urls=" + clientUrl());
        flags.add("--listen-peer-urls=" + listenPeerUrl);
        flags.add("--initial-advertise-peer-urls=" + advertisePeerUrl);
        flags.add("--initial-cluster=" + bootstrapCluster);
        // etcd reads the initial-cluster flags only while the data dir is empty, so passing "new" on a
        // restart is harmless: the member comes back from its WAL with its old identity.
        flags.add("--initial-cluster-state=new");
        flags.add("--initial-cluster-token=" + clusterToken);
        flags.addAll(TEST_TUNING);
        flags.addAll(extraFlags);
        return flags;
    }
}
