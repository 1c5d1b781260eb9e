package dev.corkboard.bbs.server;

import dev.corkboard.bbs.config.CommonOptions;
import dev.corkboard.bbs.config.ConfigDefaults;
import dev.corkboard.bbs.config.EtcdOptions;
import dev.corkboard.bbs.store.StoreSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The BBS server's settings as text, the way picocli fills them from flags, then environment variables, then the
 * {@code --config} file, then these defaults ({@link ConfigDefaults}). {@link BbsConfig#from} checks and converts them.
 */
@Command(name = "bbs-server", sortOptions = false,
        description = "Serves the Corkboard task API (corkboard.v1.TaskService) on top of etcd.%n"
                + CommonOptions.SETTINGS_HELP)
final class BbsOptions {

    @Mixin
    CommonOptions common;

    @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "0.0.0.0:8686",
            description = "gRPC listen address; port 0 picks a free port. Default: ${DEFAULT-VALUE}.")
    String listen;

    @Mixin
    EtcdOptions etcd;

    @Option(names = "--transition-batch", paramLabel = "N",
            defaultValue = "" + StoreSettings.DEFAULT_TRANSITION_BATCH,
            description = "Most transitions of different tasks written in one etcd transaction; 1 writes each in a"
                    + " transaction of its own. Above 1, a transition leaves at once while fewer than"
                    + " --transition-batches-in-flight transactions are in flight, and otherwise waits to leave with the"
                    + " next batch (no timer). Default: ${DEFAULT-VALUE}.")
    String transitionBatch;

    @Option(names = "--transition-batches-in-flight", paramLabel = "N",
            defaultValue = "" + StoreSettings.DEFAULT_BATCHES_IN_FLIGHT,
            description = "With --transition-batch above 1, most batched etcd transactions in flight at once."
                    + " Default: ${DEFAULT-VALUE}.")
    String transitionBatchesInFlight;

    @Option(names = "--metrics-listen", paramLabel = "HOST:PORT|off", defaultValue = "0.0.0.0:8687",
            description = "HTTP address of GET /metrics (Prometheus) and GET /healthz; 'off' disables it."
                    + " Default: ${DEFAULT-VALUE}.")
    String metricsListen;

    @Option(names = "--max-inbound-message-size", paramLabel = "BYTES", defaultValue = "1MiB",
            description = "Largest request accepted (task definitions are capped at 256KiB). Default: ${DEFAULT-VALUE}.")
    String maxInboundMessageSize;

    @Option(names = "--max-watch-subscribers", paramLabel = "N", defaultValue = "1000",
            description = "Most WatchTasks streams served at once. Default: ${DEFAULT-VALUE}.")
    String maxWatchSubscribers;

    @Option(names = "--watch-buffer", paramLabel = "EVENTS", defaultValue = "1024",
            description = "Events buffered per WatchTasks stream before a slow reader is cut off. Default: ${DEFAULT-VALUE}.")
    String watchBuffer;

    @Option(names = "--shutdown-grace-period", paramLabel = "DURATION", defaultValue = "10s",
            description = "How long in-flight calls may finish after SIGTERM. Default: ${DEFAULT-VALUE}.")
    String shutdownGracePeriod;

    @Option(names = "--permit-keepalive-time", paramLabel = "DURATION", defaultValue = "10s",
            description = "Shortest interval between a client's HTTP/2 keepalive pings the server accepts; a client"
                    + " pinging more often is sent GOAWAY (too_many_pings). Keep it at or below the clients' keepalive"
                    + " time (the stager client pings every 30s). Default: ${DEFAULT-VALUE}.")
    String permitKeepAliveTime;

    @Option(names = "--tls-cert", paramLabel = "FILE", defaultValue = "",
            description = "PEM certificate chain of the server; with --tls-key turns TLS on.")
    String tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", defaultValue = "",
            description = "PEM private key (PKCS#8) of the server.")
    String tlsKey;

    @Option(names = "--tls-client-ca", paramLabel = "FILE", defaultValue = "",
            description = "PEM CA certificates; when set, clients must present a certificate it signed (mutual TLS).")
    String tlsClientCa;

    @Option(names = "--callback-workers", paramLabel = "N", defaultValue = "8",
            description = "Completion callbacks POSTed at once. Default: ${DEFAULT-VALUE}.")
    String callbackWorkers;

    @Option(names = "--callback-queue-capacity", paramLabel = "N", defaultValue = "1024",
            description = "Completed tasks waiting for a callback worker; beyond it offers are dropped, counted, and"
                    + " re-offered by the converger. Default: ${DEFAULT-VALUE}.")
    String callbackQueueCapacity;

    @Option(names = "--callback-max-attempts", paramLabel = "N", defaultValue = "3",
            description = "HTTP requests per callback round (503, 504, timeouts and refused connections are"
                    + " retried). Default: ${DEFAULT-VALUE}.")
    String callbackMaxAttempts;

    @Option(names = "--callback-request-timeout", paramLabel = "DURATION", defaultValue = "10s",
            description = "Timeout of one callback request. Default: ${DEFAULT-VALUE}.")
    String callbackRequestTimeout;

    @Option(names = "--callback-first-backoff", paramLabel = "DURATION", defaultValue = "200ms",
            description = "Wait before the second callback request; doubles up to 10s. Default: ${DEFAULT-VALUE}.")
    String callbackFirstBackoff;

    @Option(names = "--executor-ttl", paramLabel = "DURATION", defaultValue = "15s",
            description = "Time to live of an executor's presence: an executor that does not heartbeat for this long"
                    + " disappears (whole seconds, at least 2s). Default: ${DEFAULT-VALUE}.")
    String executorTtl;
}
