package dev.corkboard.bbs.store;

import java.util.Locale;
import java.util.Optional;

/**
 * How a jetcd client reaches etcd. Both speak gRPC to the same etcd API; they differ in the channel underneath, which
 * shows in watch latency and CPU under write load.
 */
public enum EtcdTransport {

    /** grpc-java's Netty channel: jetcd's default. */
    GRPC,

    /** A Vert.x event loop under the gRPC channel ({@code ClientBuilder.useVertx()}). */
    VERTX;

    /** The name a setting uses, e.g. {@code grpc}. */
    public String settingName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The transport a setting names (case-insensitive), or empty. */
    public static Optional<EtcdTransport> named(String text) {
        for (EtcdTransport transport : values()) {
            if (transport.settingName().equalsIgnoreCase(text.trim())) {
                return Optional.of(transport);
            }
        }
        return Optional.empty();
    }
}
