package dev.corkboard.bbs.server;

import dev.corkboard.bbs.callback.CallbackSettings;
import dev.corkboard.bbs.config.HostPort;
import dev.corkboard.bbs.config.InvalidConfigException;
import dev.corkboard.bbs.config.ProcessMain;
import dev.corkboard.bbs.config.SettingParser;
import dev.corkboard.bbs.store.EtcdSecurity;
import dev.corkboard.bbs.store.EtcdTransport;
import dev.corkboard.bbs.store.StoreSettings;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine;

/**
 * Everything a BBS server is started with, read once and checked at startup.
 *
 * @param listen gRPC listen address (port 0: any free port)
 * @param etcdEndpoints etcd client URLs
 * @param etcdPrefix key prefix of every Corkboard key
 * @param requestTimeout deadline of one etcd round trip
 * @param metricsListen address of the Prometheus and health HTTP endpoint; empty: none
 * @param maxInboundMessageBytes largest request accepted
 * @param maxWatchSubscribers most WatchTasks streams served at once
 * @param watchBuffer events buffered per WatchTasks stream before a slow reader is cut off
 * @param shutdownGrace how long in-flight calls may finish on shutdown
 * @param permitKeepAliveTime shortest interval between a client's keepalive pings that is not answered with GOAWAY
 * @param tls server certificate and key, and the CA of client certificates under mutual TLS; empty: plaintext
 * @param callbacks how completion callbacks are POSTed (every replica delivers; one wins each task)
 * @param executorTtl time to live of an executor's presence lease: without a heartbeat for this long it disappears
 * @param etcdTransport the channel under the etcd client
 * @param transitionBatch most transitions per etcd transaction (1: one each)
 * @param transitionBatchesInFlight most batched transactions in flight
 * @param etcdSecurity TLS to etcd and etcd authentication
 */
public record BbsConfig(HostPort listen, List<URI> etcdEndpoints, String etcdPrefix, Duration requestTimeout,
        Optional<HostPort> metricsListen, int maxInboundMessageBytes, int maxWatchSubscribers, int watchBuffer,
        Duration shutdownGrace, Duration permitKeepAliveTime, Optional<Tls> tls, CallbackSettings callbacks,
        Duration executorTtl, EtcdTransport etcdTransport, int transitionBatch, int transitionBatchesInFlight,
        EtcdSecurity etcdSecurity) {


    /** Certificate files for TLS; {@code clientCa} present means clients must present a certificate (mutual TLS). */
    public record Tls(Path certChain, Path privateKey, Optional<Path> clientCa) {}

    public BbsConfig {
        etcdEndpoints = List.copyOf(etcdEndpoints);
    }

    /**
     * Reads the configuration from flags, then {@code env} ({@code CORKBOARD_*}), then the {@code --config} file, then
     * the defaults.
     *
     * @throws InvalidConfigException naming every bad setting and what it accepts
     * @throws CommandLine.ParameterException for unknown flags or a missing flag value
     */
    public static BbsConfig parse(String[] args, Map<String, String> env) {
        return from(ProcessMain.parseOptions(new BbsOptions(), args, env));
    }

    static BbsConfig from(BbsOptions options) {
        SettingParser parse = new SettingParser();
        HostPort listen = parse.hostPort("--listen", options.listen);
        List<URI> endpoints = parse.endpoints("--etcd-endpoints", options.etcd.endpoints);
        String prefix = parse.keyPrefix("--etcd-prefix", options.etcd.prefix);
        Duration requestTimeout = parse.duration("--request-timeout", options.etcd.requestTimeout);
        EtcdTransport transport = options.etcd.transport(parse);
        EtcdSecurity security = options.etcd.security(parse, endpoints);
        // an etcd transaction holds at most --max-txn-ops (default 128) compares
        int transitionBatch = parse.integer("--transition-batch", options.transitionBatch, 1, 128);
        int batchesInFlight = parse.integer("--transition-batches-in-flight", options.transitionBatchesInFlight, 1,
                1024);
        Optional<HostPort> metrics = parse.optionalHostPort("--metrics-listen", options.metricsListen);
        int maxInbound = parse.integer("--max-inbound-message-size", options.maxInboundMessageSize, 64 * 1024,
                64 * 1024 * 1024);
        int maxWatches = parse.integer("--max-watch-subscribers", options.maxWatchSubscribers, 1, 1_000_000);
        int watchBuffer = parse.integer("--watch-buffer", options.watchBuffer, 1, 1_000_000);
        Duration grace = parse.duration("--shutdown-grace-period", options.shutdownGracePeriod);
        Duration permitKeepAlive = parse.duration("--permit-keepalive-time", options.permitKeepAliveTime);
        Optional<Tls> tls = tls(parse, options);
        int callbackWorkers = parse.integer("--callback-workers", options.callbackWorkers, 1, 1024);
        int callbackQueue = parse.integer("--callback-queue-capacity", options.callbackQueueCapacity, 1, 1_000_000);
        int callbackAttempts = parse.integer("--callback-max-attempts", options.callbackMaxAttempts, 1, 100);
        Duration callbackTimeout = parse.duration("--callback-request-timeout", options.callbackRequestTimeout);
        Duration callbackBackoff = parse.duration("--callback-first-backoff", options.callbackFirstBackoff);
        Duration executorTtl = executorTtl(parse, options);
        parse.throwIfAny();
        return new BbsConfig(listen, endpoints, prefix, requestTimeout, metrics, maxInbound, maxWatches, watchBuffer,
                grace, permitKeepAlive, tls, new CallbackSettings(callbackWorkers, callbackQueue, callbackAttempts,
                        callbackTimeout, callbackBackoff), executorTtl, transport, transitionBatch, batchesInFlight,
                security);
    }

    /** A whole number of seconds: etcd leases count in seconds, and refuses TTLs shorter than about 2 s. */
    private static Duration executorTtl(SettingParser parse, BbsOptions options) {
        Duration ttl = parse.duration("--executor-ttl", options.executorTtl);
        if (parse.accepted("--executor-ttl")) {
            parse.require(ttl.toMillis() % 1000 == 0 && ttl.getSeconds() >= 2 && ttl.getSeconds() <= 3600,
                    "--executor-ttl", "expected a whole number of seconds from 2s to 1h, got '" + options.executorTtl
                            + "'");
        }
        return ttl;
    }

    private static Optional<Tls> tls(SettingParser parse, BbsOptions options) {
        Optional<Path> cert = parse.readableFile("--tls-cert", options.tlsCert);
        Optional<Path> key = parse.readableFile("--tls-key", options.tlsKey);
        Optional<Path> clientCa = parse.readableFile("--tls-client-ca", options.tlsClientCa);
        parse.require(cert.isPresent() == key.isPresent(), cert.isPresent() ? "--tls-key" : "--tls-cert",
                "expected --tls-cert and --tls-key together, got only " + (cert.isPresent() ? "--tls-cert"
                        : "--tls-key"));
        parse.require(clientCa.isEmpty() || cert.isPresent(), "--tls-client-ca",
                "expected together with --tls-cert and --tls-key (mutual TLS needs server TLS)");
        return cert.isPresent() && key.isPresent() ? Optional.of(new Tls(cert.get(), key.get(), clientCa))
                : Optional.empty();
    }

    /** The task store's settings: this configuration's prefix, timeout and batching over the defaults. */
    public StoreSettings storeSettings() {
        return StoreSettings.defaults().withPrefix(etcdPrefix).withRequestTimeout(requestTimeout)
                .withTransitionBatch(transitionBatch).withBatchesInFlight(transitionBatchesInFlight);
    }

    /** The same configuration listening on {@code address}. */
    public BbsConfig withListen(HostPort address) {
        return new BbsConfig(address, etcdEndpoints, etcdPrefix, requestTimeout, metricsListen,
                maxInboundMessageBytes, maxWatchSubscribers, watchBuffer, shutdownGrace, permitKeepAliveTime, tls,
                callbacks, executorTtl, etcdTransport, transitionBatch, transitionBatchesInFlight, etcdSecurity);
    }
}
