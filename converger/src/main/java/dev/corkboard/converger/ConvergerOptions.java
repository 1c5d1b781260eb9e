package dev.corkboard.converger;

import dev.corkboard.bbs.config.CommonOptions;
import dev.corkboard.bbs.config.ConfigDefaults;
import dev.corkboard.bbs.config.EtcdOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The converger process's settings as text, the way picocli fills them from flags, then environment variables, then
 * the {@code --config} file, then these defaults ({@link ConfigDefaults}). {@link ConvergerConfig#from} checks and
 * converts them.
 */
@Command(name = "converger", sortOptions = false,
        description = "Runs the Corkboard converger: candidates elect one leader through etcd, and the leader repairs"
                + " stale tasks every interval.%n" + CommonOptions.SETTINGS_HELP)
final class ConvergerOptions {

    @Mixin
    CommonOptions common;

    @Option(names = "--converger-id", paramLabel = "ID", defaultValue = "",
            description = "This candidate's name in the election and in the status it writes; unique per process."
                    + " Default: <hostname>-<pid>.")
    String convergerId;

    @Mixin
    EtcdOptions etcd;

    @Option(names = "--metrics-listen", paramLabel = "HOST:PORT|off", defaultValue = "0.0.0.0:8689",
            description = "HTTP address of GET /metrics (Prometheus) and GET /healthz; 'off' disables it."
                    + " Default: ${DEFAULT-VALUE}.")
    String metricsListen;

    @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "30s",
            description = "Time between passes while leading; an executor leaving starts one at once."
                    + " Default: ${DEFAULT-VALUE}.")
    String interval;

    @Option(names = "--kick", paramLabel = "DURATION", defaultValue = "30s",
            description = "Age of updated_at after which a pending task is re-announced, a completed one re-notified"
                    + " and a resolving one demoted to completed; less than both expiries. Default: ${DEFAULT-VALUE}.")
    String kick;

    @Option(names = "--claim-timeout", paramLabel = "DURATION", defaultValue = "30s",
            description = "Age of claimed_at after which a claimed task that never started goes back to pending."
                    + " Default: ${DEFAULT-VALUE}.")
    String claimTimeout;

    @Option(names = "--pending-expiry", paramLabel = "DURATION", defaultValue = "30m",
            description = "Age of created_at after which a pending task fails as not claimed within time limit."
                    + " Default: ${DEFAULT-VALUE}.")
    String pendingExpiry;

    @Option(names = "--completed-expiry", paramLabel = "DURATION", defaultValue = "2m",
            description = "Age of first_completed_at after which a completed task is deleted."
                    + " Default: ${DEFAULT-VALUE}.")
    String completedExpiry;

    @Option(names = "--lease-ttl", paramLabel = "DURATION", defaultValue = "15s",
            description = "TTL of the election lease in whole seconds: how long a leader that went silent keeps"
                    + " leading. Default: ${DEFAULT-VALUE}.")
    String leaseTtl;

    @Option(names = "--page-size", paramLabel = "N", defaultValue = "5000",
            description = "Task records read per page of a pass (1 to 10000). Default: ${DEFAULT-VALUE}.")
    String pageSize;

    @Option(names = "--max-writes-in-flight", paramLabel = "N", defaultValue = "32",
            description = "Repairs a pass has in flight at once (1 to 1024). Default: ${DEFAULT-VALUE}.")
    String maxWritesInFlight;
}
