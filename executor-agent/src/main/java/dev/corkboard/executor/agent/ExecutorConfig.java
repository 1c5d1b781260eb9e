package dev.corkboard.executor.agent;

import dev.corkboard.bbs.config.HostPort;
import dev.corkboard.bbs.config.InvalidConfigException;
import dev.corkboard.bbs.config.LocalHost;
import dev.corkboard.bbs.config.ProcessMain;
import dev.corkboard.bbs.config.SettingParser;
import dev.corkboard.executor.runtime.RuntimeSettings;
import dev.corkboard.proto.v1.Capacity;
import dev.corkboard.stager.BbsEndpoints;
import dev.corkboard.stager.ClientTls;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * Everything an executor agent is started with, read once and checked at startup.
 *
 * @param executorId this executor's id (stable across restarts: tasks left Running under it are found again)
 * @param bbs the BBS replicas
 * @param listen address of the agent's gRPC server (log service, health)
 * @param advertiseAddress {@code host:port} written in the presence; empty: derived from the bound port
 * @param zone availability zone, may be empty
 * @param capacity what this executor gives its tasks in all
 * @param placementTags the tags tasks may ask for
 * @param runtime {@code sandbox}, {@code oci} or {@code process}
 * @param rootFsDir the directory of root filesystems tasks may name (oci runtime); empty: none
 * @param taskUid the host uid of every task's uid 1000 (sandbox and oci runtimes)
 * @param taskGid the host gid of every task's gid 1000 (sandbox and oci runtimes)
 * @param defaultMemoryMb memory limit of a task that names none
 * @param defaultMaxPids process limit of a task that names none
 * @param workDir task directories
 * @param logDir task logs
 * @param spoolDir results waiting for a BBS
 * @param logRetention age after which finished task logs are deleted
 * @param logMaxTotalMb most disk the task logs take
 * @param drainTimeout how long running tasks may finish after SIGTERM
 * @param claimWait the long-poll wait of one ClaimNext
 * @param callTimeout deadline of a BBS call
 * @param metricsListen the Prometheus and health HTTP endpoint; empty: none
 * @param tls TLS towards the BBS; empty: plaintext
 */
public record ExecutorConfig(String executorId, BbsEndpoints bbs, HostPort listen, Optional<String> advertiseAddress,
        String zone, Capacity capacity, List<String> placementTags, String runtime, Optional<Path> rootFsDir,
        int taskUid, int taskGid, int defaultMemoryMb,
        int defaultMaxPids, Path workDir, Path logDir, Path spoolDir, Duration logRetention, int logMaxTotalMb,
        Duration drainTimeout, Duration claimWait, Duration callTimeout, Optional<HostPort> metricsListen,
        Optional<ClientTls> tls) {

    /** The runtimes an agent can offer. */
    public static final List<String> RUNTIMES = List.of("sandbox", "oci", "process");
    private static final Pattern IDENTIFIER = Pattern.compile("^[a-zA-Z0-9_-]{1,128}$");
    private static final Pattern TAG = Pattern.compile("^[a-zA-Z0-9_.:=-]{1,128}$");

    public ExecutorConfig {
        placementTags = List.copyOf(placementTags);
    }

    /**
     * Reads the configuration from flags, then {@code env} ({@code CORKBOARD_*}), then the {@code --config} file, then
     * the defaults.
     *
     * @throws InvalidConfigException naming every bad setting and what it accepts
     * @throws CommandLine.ParameterException for unknown flags or a missing flag value
     */
    public static ExecutorConfig parse(String[] args, Map<String, String> env) {
        return from(ProcessMain.parseOptions(new ExecutorOptions(), args, env));
    }

    static ExecutorConfig from(ExecutorOptions options) {
        SettingParser parse = new SettingParser();
        Optional<ClientTls> tls = tls(parse, options);
        Optional<String> certifiedId = tls.flatMap(ClientTls::certificate).flatMap(ExecutorConfig::commonName);
        String id = options.executorId.isBlank() ? certifiedId.orElseGet(ExecutorConfig::defaultId)
                : options.executorId.trim();
        parse.require(certifiedId.isEmpty() || certifiedId.get().equals(id), "--executor-id",
                "expected the CN of --tls-cert ('" + certifiedId.orElse("") + "'): under mutual TLS the BBS knows an"
                        + " executor by its certificate, got '" + id + "'");
        parse.require(IDENTIFIER.matcher(id).matches(), "--executor-id",
                "expected 1 to 128 letters, digits, '_' or '-', got '" + id + "'");
        BbsEndpoints bbs = bbs(parse, options.bbs);
        HostPort listen = parse.hostPort("--listen", options.listen);
        Optional<String> advertise = options.advertiseAddress.isBlank() ? Optional.empty()
                : Optional.of(options.advertiseAddress.trim());
        String zone = options.zone.trim();
        parse.require(zone.isEmpty() || TAG.matcher(zone).matches(), "--zone",
                "expected letters, digits and _.:=- (at most 128), got '" + zone + "'");
        int memory = parse.integer("--memory-mb", options.memoryMb, 1, 16 * 1024 * 1024);
        int disk = parse.integer("--disk-mb", options.diskMb, 0, Integer.MAX_VALUE);
        int containers = parse.integer("--containers", options.containers, 1, 10_000);
        List<String> tags = Arrays.stream(options.tags.split(",")).map(String::trim).filter(t -> !t.isEmpty())
                .toList();
        for (String tag : tags) {
            parse.require(TAG.matcher(tag).matches(), "--tags",
                    "expected tags of letters, digits and _.:=- (at most 128 each), got '" + tag + "'");
        }
        String runtime = options.runtime.trim();
        parse.require(RUNTIMES.contains(runtime), "--runtime", "expected one of " + RUNTIMES + ", got '"
                + options.runtime + "'");
        Optional<Path> rootFsDir = options.rootFsDir.isBlank() ? Optional.empty()
                : Optional.of(Path.of(options.rootFsDir.trim()).toAbsolutePath().normalize());
        parse.require(rootFsDir.isEmpty() || java.nio.file.Files.isDirectory(rootFsDir.get()), "--root-fs-dir",
                "expected an existing directory, got '" + options.rootFsDir + "'");
        int taskUid = taskId(parse, "--task-uid", options.taskUid);
        int taskGid = taskId(parse, "--task-gid", options.taskGid);
        int defaultMemory = parse.integer("--default-memory-mb", options.defaultMemoryMb, 4, 16 * 1024 * 1024);
        int defaultPids = parse.integer("--default-max-pids", options.defaultMaxPids, 1, 4_194_304);
        Path workDir = directory(parse, "--work-dir", options.workDir, Optional.empty());
        Path logDir = directory(parse, "--log-dir", options.logDir, Optional.of(workDir.resolve("logs")));
        Path spoolDir = directory(parse, "--spool-dir", options.spoolDir, Optional.of(workDir.resolve("spool")));
        Duration retention = parse.duration("--log-retention", options.logRetention);
        int logMax = parse.integer("--log-max-total-mb", options.logMaxTotalMb, 1, Integer.MAX_VALUE);
        Duration drain = parse.duration("--drain-timeout", options.drainTimeout);
        Duration claimWait = parse.duration("--claim-wait", options.claimWait);
        parse.require(claimWait.compareTo(Duration.ofSeconds(60)) <= 0, "--claim-wait",
                "expected at most 60s (the BBS caps a long-poll there), got '" + options.claimWait + "'");
        Duration callTimeout = parse.duration("--call-timeout", options.callTimeout);
        Optional<HostPort> metrics = parse.optionalHostPort("--metrics-listen", options.metricsListen);
        parse.throwIfAny();
        Capacity capacity = Capacity.newBuilder().setMemoryMb(memory).setDiskMb(disk).setContainers(containers)
                .build();
        return new ExecutorConfig(id, bbs, listen, advertise, zone, capacity, tags, runtime, rootFsDir, taskUid,
                taskGid, defaultMemory, defaultPids, workDir, logDir, spoolDir, retention, logMax, drain, claimWait,
                callTimeout, metrics, tls);
    }

    /** A task's host uid or gid: unprivileged, and clear of the oci runtime's 100000-100999. */
    private static int taskId(SettingParser parse, String flag, String text) {
        int id = parse.integer(flag, text, 1, Integer.MAX_VALUE);
        parse.require(id < 100_000 || id > 100_999, flag, "expected an id outside 100000-100999 (the oci runtime's ids"
                + " for the container's 0-999), got '" + text + "'");
        return id;
    }

    private static BbsEndpoints bbs(SettingParser parse, String text) {
        try {
            return BbsEndpoints.parse(text);
        } catch (IllegalArgumentException e) {
            parse.problem("--bbs", "expected host:port[,host:port…], got '" + text + "'");
            return BbsEndpoints.parse(BbsEndpoints.DEFAULT);
        }
    }

    private static Path directory(SettingParser parse, String setting, String text, Optional<Path> fallback) {
        String trimmed = text.trim();
        if (trimmed.isEmpty() && fallback.isPresent()) {
            return fallback.get();
        }
        parse.require(!trimmed.isEmpty(), setting, "expected a directory path, got nothing");
        return Path.of(trimmed.isEmpty() ? "." : trimmed).toAbsolutePath().normalize();
    }

    private static Optional<ClientTls> tls(SettingParser parse, ExecutorOptions options) {
        Optional<Path> ca = parse.readableFile("--tls-ca", options.tlsCa);
        Optional<Path> cert = parse.readableFile("--tls-cert", options.tlsCert);
        Optional<Path> key = parse.readableFile("--tls-key", options.tlsKey);
        parse.require(cert.isPresent() == key.isPresent(), cert.isPresent() ? "--tls-key" : "--tls-cert",
                "expected --tls-cert and --tls-key together");
        parse.require(cert.isEmpty() || ca.isPresent(), "--tls-ca", "expected with --tls-cert (mutual TLS needs TLS)");
        if (ca.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(cert.isPresent() && key.isPresent() ? ClientTls.mutual(ca.get(), cert.get(), key.get())
                : ClientTls.trusting(ca.get()));
    }

    /** The subject CN of a PEM certificate, if it can be read and has one. */
    static Optional<String> commonName(Path certificate) {
        try (var in = java.nio.file.Files.newInputStream(certificate)) {
            var cert = (java.security.cert.X509Certificate) java.security.cert.CertificateFactory
                    .getInstance("X.509").generateCertificate(in);
            var name = new javax.naming.ldap.LdapName(cert.getSubjectX500Principal().getName());
            return name.getRdns().stream().filter(rdn -> rdn.getType().equalsIgnoreCase("CN"))
                    .map(rdn -> rdn.getValue().toString()).findFirst();
        } catch (java.io.IOException | java.security.GeneralSecurityException | javax.naming.InvalidNameException
                | ClassCastException e) {
            return Optional.empty();
        }
    }

    /** The host name, cut to an identifier: stable across restarts, unlike a pid. */
    static String defaultId() {
        String id = LocalHost.name("executor").replaceAll("[^a-zA-Z0-9_-]", "-");
        return id.length() > 128 ? id.substring(0, 128) : id;
    }

    /** The runtimes this agent offers (one today: the configured one). */
    public List<String> runtimes() {
        return List.of(runtime);
    }

    /** The prefix of every container handle, cgroup and task directory this executor owns. */
    public String ownerPrefix() {
        return RuntimeSettings.ownerPrefixFor(executorId);
    }
}
