package dev.corkboard.executor.agent;

import dev.corkboard.bbs.config.CommonOptions;
import dev.corkboard.bbs.config.ConfigDefaults;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The executor agent's settings as text, filled by picocli from flags, then {@code CORKBOARD_*} variables, then the
 * {@code --config} file, then these defaults. {@link ExecutorConfig#from} checks and converts them.
 */
@Command(name = "executor-agent", sortOptions = false,
        description = "Runs a Corkboard executor agent: advertises this host's capacity, claims tasks that fit, runs"
                + " them in sandboxes, keeps their logs and reports their results.%n" + CommonOptions.SETTINGS_HELP)
final class ExecutorOptions {

    @Mixin
    CommonOptions common;

    @Option(names = "--executor-id", paramLabel = "ID", defaultValue = "",
            description = "This executor's id, unique in the cluster and stable across restarts of the agent (with"
                    + " mutual TLS it must be the CN of --tls-cert). Default: that CN, else the host name.")
    String executorId;

    @Option(names = "--bbs", paramLabel = "HOST:PORT[,HOST:PORT…]", defaultValue = "127.0.0.1:8686",
            description = "BBS replicas to talk to. Default: ${DEFAULT-VALUE}.")
    String bbs;

    @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "0.0.0.0:8688",
            description = "gRPC address of this agent's log service and health; port 0 picks a free port."
                    + " Default: ${DEFAULT-VALUE}.")
    String listen;

    @Option(names = "--advertise-address", paramLabel = "HOST[:PORT]", defaultValue = "",
            description = "Where `cork logs` reaches this agent, as written in its presence. Default: the --listen"
                    + " address, with this host's name when it listens on every interface.")
    String advertiseAddress;

    @Option(names = "--zone", paramLabel = "ZONE", defaultValue = "",
            description = "Availability zone written in the presence. Default: none.")
    String zone;

    @Option(names = "--memory-mb", paramLabel = "MB", defaultValue = "4096",
            description = "Memory this executor gives its tasks in all. Default: ${DEFAULT-VALUE}.")
    String memoryMb;

    @Option(names = "--disk-mb", paramLabel = "MB", defaultValue = "16384",
            description = "Disk this executor gives its tasks in all. Default: ${DEFAULT-VALUE}.")
    String diskMb;

    @Option(names = "--containers", paramLabel = "N", defaultValue = "8",
            description = "Tasks run at once. Default: ${DEFAULT-VALUE}.")
    String containers;

    @Option(names = "--tags", paramLabel = "TAG[,TAG…]", defaultValue = "",
            description = "Placement tags: a task asking for tags runs only where all of them are. Default: none.")
    String tags;

    @Option(names = "--runtime", paramLabel = "sandbox|oci|process", defaultValue = "sandbox",
            description = "How tasks run: 'sandbox' (bubblewrap namespaces and a cgroup per task, enforcing memory,"
                    + " pids and cpu weight), 'oci' (the same isolation and limits through runc, with an OCI bundle per"
                    + " task on the task's root_fs directory or the host's /usr) or 'process' (plain child processes,"
                    + " limits not enforced: development only). Default: ${DEFAULT-VALUE}.")
    String runtime;

    @Option(names = "--root-fs-dir", paramLabel = "DIR", defaultValue = "",
            description = "Directory of the root filesystems tasks may name in root_fs (oci runtime), one"
                    + " subdirectory each, e.g. DIR/debian-12. Default: none, and a task naming a root_fs fails.")
    String rootFsDir;

    @Option(names = "--task-uid", paramLabel = "UID", defaultValue = "101000",
            description = "Host uid the task's uid 1000 is outside its user namespace (sandbox and oci runtimes), owner"
                    + " of its task directory: an unprivileged uid of no host user, not 0 nor 100000-100999 (the oci"
                    + " runtime's ids for the container's uids 0-999). Default: ${DEFAULT-VALUE}.")
    String taskUid;

    @Option(names = "--task-gid", paramLabel = "GID", defaultValue = "101000",
            description = "Host gid the task's gid 1000 is outside, likewise. Default: ${DEFAULT-VALUE}.")
    String taskGid;

    @Option(names = "--default-memory-mb", paramLabel = "MB", defaultValue = "256",
            description = "Memory limit of a task that names none. Default: ${DEFAULT-VALUE}.")
    String defaultMemoryMb;

    @Option(names = "--default-max-pids", paramLabel = "N", defaultValue = "1024",
            description = "Process limit of a task that names none. Default: ${DEFAULT-VALUE}.")
    String defaultMaxPids;

    @Option(names = "--work-dir", paramLabel = "DIR", defaultValue = "/var/lib/corkboard/executor",
            description = "Where task directories live. Default: ${DEFAULT-VALUE}.")
    String workDir;

    @Option(names = "--log-dir", paramLabel = "DIR", defaultValue = "",
            description = "Where task logs are kept. Default: <work-dir>/logs.")
    String logDir;

    @Option(names = "--spool-dir", paramLabel = "DIR", defaultValue = "",
            description = "Where results wait (fsynced) while no BBS answers. Default: <work-dir>/spool.")
    String spoolDir;

    @Option(names = "--log-retention", paramLabel = "DURATION", defaultValue = "24h",
            description = "How long finished task logs are kept. Default: ${DEFAULT-VALUE}.")
    String logRetention;

    @Option(names = "--log-max-total-mb", paramLabel = "MB", defaultValue = "1024",
            description = "Most disk all task logs take; the oldest finished ones go first. Default: ${DEFAULT-VALUE}.")
    String logMaxTotalMb;

    @Option(names = "--drain-timeout", paramLabel = "DURATION", defaultValue = "30s",
            description = "On SIGTERM: how long running tasks may finish before they are stopped and reported as"
                    + " failed with 'executor shutting down'. Default: ${DEFAULT-VALUE}.")
    String drainTimeout;

    @Option(names = "--claim-wait", paramLabel = "DURATION", defaultValue = "30s",
            description = "How long one ClaimNext long-poll waits for a task. Default: ${DEFAULT-VALUE}.")
    String claimWait;

    @Option(names = "--call-timeout", paramLabel = "DURATION", defaultValue = "10s",
            description = "Deadline of one call to the BBS (ClaimNext: its wait plus this). Default: ${DEFAULT-VALUE}.")
    String callTimeout;

    @Option(names = "--metrics-listen", paramLabel = "HOST:PORT|off", defaultValue = "0.0.0.0:8690",
            description = "HTTP address of GET /metrics (Prometheus) and GET /healthz; 'off' disables it."
                    + " Default: ${DEFAULT-VALUE}.")
    String metricsListen;

    @Option(names = "--tls-ca", paramLabel = "FILE", defaultValue = "",
            description = "PEM CA the BBS's certificate must be signed by; turns TLS on.")
    String tlsCa;

    @Option(names = "--tls-cert", paramLabel = "FILE", defaultValue = "",
            description = "PEM client certificate for mutual TLS (its CN is the executor id the BBS trusts).")
    String tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", defaultValue = "",
            description = "PEM private key (PKCS#8) of --tls-cert.")
    String tlsKey;
}
