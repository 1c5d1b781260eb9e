package dev.corkboard.bbs.config;

import java.net.InetSocketAddress;

/**
 * A listen address such as {@code 0.0.0.0:8686}, {@code localhost:0} (any free port) or {@code [::1]:8686}.
 *
 * @param host a host name or IP literal (IPv6 without brackets)
 * @param port 0 to 65535; 0 lets the system choose
 */
public record HostPort(String host, int port) {

    public HostPort {
        if (host.isEmpty() || port < 0 || port > 65_535) {
            throw new IllegalArgumentException("expected host:port, got '" + host + ":" + port + "'");
        }
    }

    /** Parses {@code host:port}; the message of the exception says what was expected. */
    public static HostPort parse(String text) {
        int colon = text.lastIndexOf(':');
        String host = colon < 0 ? "" : text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            int port = Integer.parseInt(text.substring(colon + 1));
            if (!host.isEmpty() && port >= 0 && port <= 65_535) {
                return new HostPort(host, port);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("expected host:port with a port from 0 to 65535, got '" + text + "'");
    }

    public InetSocketAddress socketAddress() {
        return new InetSocketAddress(host, port);
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
