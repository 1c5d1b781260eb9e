package dev.corkboard.converger;

import dev.corkboard.bbs.config.HostPort;
import dev.corkboard.bbs.config.InvalidConfigException;
import dev.corkboard.bbs.config.LocalHost;
import dev.corkboard.bbs.config.ProcessMain;
import dev.corkboard.bbs.config.SettingParser;
import dev.corkboard.bbs.store.EtcdSecurity;
import dev.corkboard.bbs.store.EtcdTransport;
import dev.corkboard.bbs.store.StoreSettings;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine;

/**
 * Everything a converger process is started with, read once and checked at startup.
 *
 * <p>Besides each setting's own range, two settings are checked against each other because otherwise a rule could
 * never fire: the kick must be shorter than the pending expiry (updated_at is never older than created_at, so a
 * pending task old enough to be kicked would already be failed instead, and a lost announcement would never be
 * repeated), and shorter than the completed expiry (likewise, a completion whose notification was lost would be
 * deleted before it is re-notified). Other combinations are legal: a claim timeout longer than the pending expiry
 * just means a demoted claim fails on the next pass, and an interval longer than the thresholds delays repairs.
 *
 * @param convergerId this candidate's name in the election
 * @param etcdEndpoints etcd client URLs
 * @param etcdPrefix key prefix of every Corkboard key
 * @param requestTimeout deadline of one etcd round trip
 * @param metricsListen address of the Prometheus and health HTTP endpoint; empty: none
 * @param settings the converger's interval, thresholds, lease TTL and pass sizes
 * @param etcdTransport the channel under the etcd client
 * @param etcdSecurity TLS to etcd and etcd authentication
 */
public record ConvergerConfig(String convergerId, List<URI> etcdEndpoints, String etcdPrefix,
        Duration requestTimeout, Optional<HostPort> metricsListen, ConvergerSettings settings,
        EtcdTransport etcdTransport, EtcdSecurity etcdSecurity) {


    public ConvergerConfig {
        etcdEndpoints = List.copyOf(etcdEndpoints);
    }

    /**
     * Reads the configuration from flags, then {@code env} ({@code CORKBOARD_*}), then the {@code --config} file, then
     * the defaults.
     *
     * @throws InvalidConfigException naming every bad setting and what it accepts
     * @throws CommandLine.ParameterException for unknown flags or a missing flag value
     */
    public static ConvergerConfig parse(String[] args, Map<String, String> env) {
        return from(ProcessMain.parseOptions(new ConvergerOptions(), args, env));
    }

    static ConvergerConfig from(ConvergerOptions options) {
        SettingParser parse = new SettingParser();
        String id = options.convergerId.isBlank() ? defaultId() : options.convergerId.trim();
        parse.require(id.length() <= 253 && id.chars().noneMatch(Character::isWhitespace), "--converger-id",
                "expected a name of at most 253 characters without spaces, got '" + options.convergerId + "'");
        List<URI> endpoints = parse.endpoints("--etcd-endpoints", options.etcd.endpoints);
        String prefix = parse.keyPrefix("--etcd-prefix", options.etcd.prefix);
        Duration requestTimeout = parse.duration("--request-timeout", options.etcd.requestTimeout);
        EtcdTransport transport = options.etcd.transport(parse);
        EtcdSecurity security = options.etcd.security(parse, endpoints);
        Optional<HostPort> metrics = parse.optionalHostPort("--metrics-listen", options.metricsListen);
        ConvergerSettings settings = settings(parse, options);
        parse.throwIfAny();
        return new ConvergerConfig(id, endpoints, prefix, requestTimeout, metrics, settings, transport, security);
    }

    private static ConvergerSettings settings(SettingParser parse, ConvergerOptions options) {
        Duration interval = parse.duration("--interval", options.interval);
        Duration kick = parse.duration("--kick", options.kick);
        Duration claimTimeout = parse.duration("--claim-timeout", options.claimTimeout);
        Duration pendingExpiry = parse.duration("--pending-expiry", options.pendingExpiry);
        Duration completedExpiry = parse.duration("--completed-expiry", options.completedExpiry);
        Duration leaseTtl = parse.duration("--lease-ttl", options.leaseTtl);
        boolean wholeTtl = leaseTtl.toMillis() % 1000 == 0;
        parse.require(wholeTtl, "--lease-ttl",
                "expected whole seconds (etcd leases count seconds) such as 15s, got '" + options.leaseTtl + "'");
        int pageSize = parse.integer("--page-size", options.pageSize, 1, 10_000);
        int writes = parse.integer("--max-writes-in-flight", options.maxWritesInFlight, 1, 1024);
        // compared only when both values are good, so a bad expiry is reported once, under its own name
        boolean comparable = parse.accepted("--kick", "--pending-expiry", "--completed-expiry");
        parse.require(!comparable || kick.compareTo(pendingExpiry) < 0, "--kick",
                "expected less than --pending-expiry (" + options.pendingExpiry.trim() + ") or pending tasks are"
                        + " never re-announced, got '" + options.kick + "'");
        parse.require(!comparable || kick.compareTo(completedExpiry) < 0, "--kick",
                "expected less than --completed-expiry (" + options.completedExpiry.trim() + ") or completed tasks"
                        + " are deleted before they are re-notified, got '" + options.kick + "'");
        return new ConvergerSettings(interval, kick, claimTimeout, pendingExpiry, completedExpiry,
                wholeTtl ? leaseTtl : ConvergerSettings.DEFAULT_LEASE_TTL, pageSize, writes);
    }

    /** {@code <hostname>-<pid>}: unique per process on a host, and names the host an operator should look at. */
    static String defaultId() {
        return LocalHost.name("localhost") + "-" + ProcessHandle.current().pid();
    }

    /** The store settings the converger's passes read and write with. */
    public StoreSettings storeSettings() {
        return StoreSettings.defaults().withPrefix(etcdPrefix).withRequestTimeout(requestTimeout);
    }
}
