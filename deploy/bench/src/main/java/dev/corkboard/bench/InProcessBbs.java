package dev.corkboard.bench;

import dev.corkboard.bbs.server.BbsConfig;
import dev.corkboard.bbs.server.BbsServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;

/** One BBS replica in this JVM on a free loopback port, keeping its keys under a prefix of its own. */
final class InProcessBbs implements AutoCloseable {

    private final BbsServer server;
    private final int port;

    private InProcessBbs(BbsServer server, int port) {
        this.server = server;
        this.port = port;
    }

    static InProcessBbs start(List<String> etcdEndpoints, String prefix) throws IOException {
        int port = freePort();
        BbsConfig config = BbsConfig.parse(new String[] {"--listen=127.0.0.1:" + port,
            "--etcd-endpoints=" + String.join(",", etcdEndpoints), "--etcd-prefix=" + prefix,
            "--metrics-listen=off", "--shutdown-grace-period=1s"}, Map.of());
        return new InProcessBbs(BbsServer.start(config), port);
    }

    /** host:port for the stager client and the agent. */
    String endpoint() {
        return "127.0.0.1:" + port;
    }

    @Override
    public void close() {
        server.close();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
