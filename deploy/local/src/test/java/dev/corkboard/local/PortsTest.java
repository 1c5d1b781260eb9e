package dev.corkboard.local;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class PortsTest {

    @Test
    void picksAsManyDistinctPortsAsAsked() {
        List<Integer> ports = Ports.pick(20);

        assertEquals(20, new HashSet<>(ports).size());
    }

    @Test
    void thePickedPortsAreFreeToBindOnLoopback() throws IOException {
        for (int port : Ports.pick(3)) {
            try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                assertEquals(port, socket.getLocalPort());
            }
        }
    }

    @Test
    void aClusterNeedsEveryPortOfEveryMember() {
        // etcd client+peer, BBS grpc+metrics, executor grpc+metrics, converger metrics
        assertEquals(2 + 2 * 2 + 2 * 2 + 2, Ports.needed(Topology.DEFAULT));
        assertEquals(3 * 2 + 2 + 0 + 0, Ports.needed(new Topology(3, 1, 0, 0)));
    }
}
