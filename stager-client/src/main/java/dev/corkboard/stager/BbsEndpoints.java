package dev.corkboard.stager;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The BBS replicas a client may talk to, as {@code host:port} pairs. Every replica is active, so any of them serves
 * any call; the client spreads calls over those that answer.
 */
public record BbsEndpoints(List<InetSocketAddress> addresses) {

    /** Where a BBS listens when nothing else is said. */
    public static final String DEFAULT = "127.0.0.1:8686";

    public BbsEndpoints {
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("at least one BBS endpoint is needed");
        }
        addresses = List.copyOf(addresses);
    }

    /**
     * Parses {@code host:port[,host:port…]}; an IPv6 host goes in brackets ({@code [::1]:8686}).
     *
     * @throws IllegalArgumentException naming the entry that is not {@code host:port}
     */
    public static BbsEndpoints parse(String csv) {
        List<InetSocketAddress> addresses = new ArrayList<>();
        for (String entry : csv.split(",", -1)) {
            addresses.add(address(entry.trim(), csv));
        }
        return new BbsEndpoints(addresses);
    }

    private static InetSocketAddress address(String entry, String csv) {
        int colon = entry.lastIndexOf(':');
        String host = colon > 0 ? entry.substring(0, colon) : "";
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(entry.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (host.isEmpty() || port < 1 || port > 65_535) {
            throw new IllegalArgumentException(
                    "BBS endpoint '" + entry + "' in '" + csv + "' is not host:port (port 1-65535)");
        }
        return InetSocketAddress.createUnresolved(host, port);
    }

    /** The endpoints as they were given, comma-separated. */
    @Override
    public String toString() {
        return String.join(",", addresses.stream().map(a -> a.getHostString() + ":" + a.getPort()).toList());
    }
}
