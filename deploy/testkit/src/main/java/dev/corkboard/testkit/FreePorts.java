package dev.corkboard.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/** Loopback ports that were free a moment ago. */
final class FreePorts {

    private FreePorts() {}

    /**
     * Picks {@code count} distinct ports. All sockets stay bound until every port is chosen, so the
     * kernel cannot hand the same port out twice; another process may still grab one before etcd
     * binds it, which is why starting retries on "address already in use".
     */
    static int[] pick(int count) {
        List<ServerSocket> held = new ArrayList<>();
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                held.add(socket);
                ports[i] = socket.getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException("could not find free loopback ports", e);
        } finally {
            for (ServerSocket socket : held) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // a socket that fails to close still frees its port when the JVM exits
                }
            }
        }
    }

    /** Whether nothing listens on {@code port} on loopback right now. */
    static boolean isFree(int port) {
        try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return probe.isBound();
        } catch (IOException e) {
            return false;
        }
    }
}
