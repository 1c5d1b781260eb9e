package dev.corkboard.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/** Loopback ports for a new cluster's members. */
final class Ports {

    private Ports() {}

    /**
     * {@code count} distinct loopback ports that were free a moment ago. Every socket stays bound until all are
     * chosen, so the kernel cannot hand out one port twice. Another process may still take one before its member
     * binds it; that member then fails its health check with "address already in use" in its log, and
     * {@code cluster down --purge} followed by {@code up} picks new ports.
     */
    static List<Integer> pick(int count) {
        List<ServerSocket> held = new ArrayList<>(count);
        try {
            List<Integer> ports = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                held.add(socket);
                ports.add(socket.getLocalPort());
            }
            return List.copyOf(ports);
        } catch (IOException e) {
            throw new UncheckedIOException("could not find " + count + " free loopback ports", e);
        } finally {
            for (ServerSocket socket : held) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // a socket that fails to close still frees its port when this JVM exits
                }
            }
        }
    }

    /** How many ports a cluster of this shape needs. */
    static int needed(Topology topology) {
        int total = 0;
        for (Role role : Role.values()) {
            total += topology.count(role) * role.ports().size();
        }
        return total;
    }
}
