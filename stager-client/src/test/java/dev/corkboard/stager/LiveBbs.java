package dev.corkboard.stager;

import dev.corkboard.bbs.server.BbsConfig;
import dev.corkboard.bbs.server.BbsServer;
import dev.corkboard.bbs.state.TaskRequest;
import dev.corkboard.bbs.store.EtcdTaskStore;
import dev.corkboard.proto.v1.Task;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * BBS replicas running in this JVM against a real etcd, each on its own loopback port, under a prefix of their own so
 * tests sharing an etcd do not see each other's tasks. A replica can be stopped and started again on the same port.
 */
final class LiveBbs implements AutoCloseable {

    private final String etcdEndpoints;
    private final String prefix = "/corkboard-test/" + UUID.randomUUID();
    private final List<Optional<BbsServer>> replicas = new ArrayList<>();
    private final List<Integer> ports = new ArrayList<>();

    private LiveBbs(String etcdEndpoints) {
        this.etcdEndpoints = etcdEndpoints;
    }

    static LiveBbs start(String etcdEndpoints, int replicas) {
        LiveBbs bbs = new LiveBbs(etcdEndpoints);
        for (int i = 0; i < replicas; i++) {
            BbsServer server = bbs.launch(0);
            bbs.replicas.add(Optional.of(server));
            bbs.ports.add(server.port());
        }
        return bbs;
    }

    private BbsServer launch(int port) {
        BbsConfig config = BbsConfig.parse(new String[] {"--listen=127.0.0.1:" + port,
            "--etcd-endpoints=" + etcdEndpoints, "--etcd-prefix=" + prefix, "--metrics-listen=off",
            "--shutdown-grace-period=2s"}, Map.of());
        try {
            return BbsServer.start(config);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every replica's endpoint, comma-separated, as a client is configured with them. */
    String endpoints() {
        return String.join(",", ports.stream().map(port -> "127.0.0.1:" + port).toList());
    }

    BbsEndpoints bbsEndpoints() {
        return BbsEndpoints.parse(endpoints());
    }

    StagerClient client() {
        return StagerClient.connect(bbsEndpoints());
    }

    void stop(int replica) {
        replicas.get(replica).ifPresent(BbsServer::close);
        replicas.set(replica, Optional.empty());
    }

    void restart(int replica) {
        stop(replica);
        replicas.set(replica, Optional.of(launch(ports.get(replica))));
    }

    /** The store of a running replica: what an executor's calls would do, without an executor. */
    EtcdTaskStore store() {
        return replicas.stream().flatMap(Optional::stream).findFirst().orElseThrow().store();
    }

    Task apply(TaskRequest request) {
        return store().apply(request).join();
    }

    /** Claims, starts and completes a pending task as executor "cell-1". */
    Task complete(String guid, boolean failed) {
        apply(new TaskRequest.Claim(guid, "cell-1"));
        apply(new TaskRequest.Start(guid, "cell-1", "container-" + guid));
        return apply(new TaskRequest.Complete(guid, "cell-1", failed, failed ? "exit status 1" : "", "result of " + guid));
    }

    /** How many resolve calls removed a task, over every replica still running. */
    double resolvesApplied() {
        return replicas.stream().flatMap(Optional::stream)
                .mapToDouble(server -> server.registry().find("corkboard.store.transitions")
                        .tag("call", "resolve").tag("outcome", "applied").counters().stream()
                        .mapToDouble(c -> c.count()).sum())
                .sum();
    }

    @Override
    public void close() {
        for (int i = replicas.size() - 1; i >= 0; i--) {
            stop(i);
        }
    }
}
