package dev.corkboard.bbs.config;

import dev.corkboard.bbs.store.EtcdTransport;
import java.util.Arrays;
import java.util.stream.Collectors;
import picocli.CommandLine.Option;

/**
 * The etcd options of the processes that hold etcd credentials (the BBS server and the converger), mixed into their
 * picocli options with {@code @Mixin}. {@link SettingParser} checks them.
 */
public final class EtcdOptions {

    @Option(names = "--etcd-endpoints", paramLabel = "URLS", defaultValue = "http://127.0.0.1:2379",
            description = "Comma-separated etcd client URLs. Default: ${DEFAULT-VALUE}.")
    public String endpoints;

    @Option(names = "--etcd-prefix", paramLabel = "PREFIX", defaultValue = "/corkboard/v1",
            description = "Key prefix of every Corkboard key in etcd. Default: ${DEFAULT-VALUE}.")
    public String prefix;

    @Option(names = "--request-timeout", paramLabel = "DURATION", defaultValue = "5s",
            description = "Deadline of one etcd round trip; past it the call fails as unavailable."
                    + " Default: ${DEFAULT-VALUE}.")
    public String requestTimeout;

    @Option(names = "--etcd-transport", paramLabel = "grpc|vertx", defaultValue = "grpc",
            description = "Channel under the etcd client: grpc (grpc-java over Netty, jetcd's default) or vertx"
                    + " (a Vert.x event loop). Default: ${DEFAULT-VALUE}.")
    public String transport;

    /** The transport {@code --etcd-transport} names; a problem for {@code parse} when it names none. */
    public EtcdTransport transport(SettingParser parse) {
        return EtcdTransport.named(transport).orElseGet(() -> {
            parse.problem("--etcd-transport", "expected one of " + Arrays.stream(EtcdTransport.values())
                    .map(EtcdTransport::settingName).collect(Collectors.joining(", ")) + ", got '" + transport + "'");
            return EtcdTransport.GRPC;
        });
    }
}
