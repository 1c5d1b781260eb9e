package dev.corkboard.testkit;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One real etcd member on loopback ports, with a data dir and log file in its own temporary
 * directory. Ports and data dir are fixed for the member's lifetime, so after {@link #restart()}
 * clients reconnect to the same endpoint and find the same data. {@link #close()} kills the
 * process and deletes the directory; processes a test forgets are killed when the JVM exits.
 *
 * <p>Lifecycle methods are synchronized; {@link #isRunning()} and the accessors never block.
 */
public final class EtcdMember implements AutoCloseable {

    /** How long {@link #start()} waits for {@code /health} to report true. */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(15);

    private static final Logger log = LoggerFactory.getLogger(EtcdMember.class);
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);
    private static final long POLL_MILLIS = 50;
    private static final int LOG_TAIL_LINES = 30;
    private static final int PORT_ATTEMPTS = 3;

    private final MemberProcess process;
    private final MemberDirectory directory;
    // Only a member that is a cluster by itself may move to fresh ports: peers know the others'.
    private final boolean mayRepickPorts;
    private volatile MemberSpec spec;
    private boolean everStarted;
    private volatile boolean closed;

    EtcdMember(MemberSpec spec, EtcdRuntime runtime, boolean mayRepickPorts) {
        this.spec = spec;
        this.mayRepickPorts = mayRepickPorts;
        this.process = MemberProcess.forRuntime(runtime);
        this.directory = MemberDirectory.create(spec.name());
    }

    /**
     * A member that forms a one-member cluster by itself, not yet started. {@code extraFlags} are
     * passed to etcd after the testkit's own and override them.
     *
     * @throws IllegalStateException at once when this machine has neither an etcd binary nor a
     *     Docker engine (see {@link EtcdBinary#NOT_FOUND_MESSAGE})
     */
    public static EtcdMember standalone(String... extraFlags) {
        EtcdRuntime runtime = EtcdBinary.locate();
        int[] ports = FreePorts.pick(2);
        return new EtcdMember(
                MemberSpec.alone("etcd", ports[0], ports[1], newClusterToken(), List.of(extraFlags)),
                runtime,
                true);
    }

    /**
     * A one-member cluster that also serves clients over mutual TLS on {@code https://127.0.0.1:<securePort>},
     * besides the plain client URL the testkit checks its health on. Its ports are fixed: a taken port fails the
     * start instead of moving the member, since the caller already knows the secure URL.
     */
    static EtcdMember standaloneWithTls(int securePort, Path serverCert, Path serverKey, Path trustedCa) {
        EtcdRuntime runtime = EtcdBinary.locate();
        if (!(runtime instanceof EtcdRuntime.Native)) {
            throw new UnsupportedOperationException("an etcd with TLS needs the etcd binary (Debian etcd-server)");
        }
        int[] ports = FreePorts.pick(2);
        List<String> tls = List.of(
                // etcd keeps the last value of a repeated flag: this replaces the testkit's client listener list
                "--listen-client-urls=" + MemberSpec.loopbackUrl(ports[0]) + ",https://127.0.0.1:" + securePort,
                "--cert-file=" + serverCert, "--key-file=" + serverKey, "--trusted-ca-file=" + trustedCa,
                "--client-cert-auth");
        return new EtcdMember(MemberSpec.alone("etcd", ports[0], ports[1], newClusterToken(), tls), runtime, false);
    }

    static String newClusterToken() {
        // A unique token keeps a member from joining a leftover member of an earlier test cluster
        // that happens to sit on a recycled port.
        return "corkboard-" + UUID.randomUUID();
    }

    /**
     * Starts etcd and waits, at most {@link #START_TIMEOUT}, until it reports healthy. Does nothing
     * when already running. A member of a cluster reports healthy only once a quorum is up, so start
     * cluster members concurrently. A standalone member that has never run moves to fresh ports when
     * its ports turn out to be taken.
     *
     * @return this member
     * @throws EtcdStartException when etcd cannot be launched, exits, or stays unhealthy; the
     *     message ends with the last lines of {@link #logFile()} and the process is killed
     * @throws IllegalStateException when the member is closed
     */
    public synchronized EtcdMember start() {
        ensureOpen();
        if (process.isAlive()) {
            return this;
        }
        int attempts = mayRepickPorts && !everStarted ? PORT_ATTEMPTS : 1;
        for (int attempt = 1; ; attempt++) {
            try {
                launchAndAwaitHealthy();
                everStarted = true;
                return this;
            } catch (EtcdStartException e) {
                if (!e.addressInUse() || attempt >= attempts) {
                    throw e;
                }
                int[] ports = FreePorts.pick(2);
                log.info("{}: a port was taken, retrying on {} and {}", name(), ports[0], ports[1]);
                spec =
                        MemberSpec.alone(
                                spec.name(), ports[0], ports[1], spec.clusterToken(), spec.extraFlags());
                directory.wipeData();
            }
        }
    }

    private void launchAndAwaitHealthy() {
        directory.note("starting " + spec.name() + " on " + clientEndpoint());
        // Checked before launching because a health check would otherwise be answered by whatever
        // else listens on the client port, before etcd even fails to bind it.
        for (int port : new int[] {spec.clientPort(), spec.peerPort()}) {
            if (!FreePorts.isFree(port)) {
                throw failure("cannot start: port " + port + " is taken (address already in use)", null,
                        true);
            }
        }
        try {
            process.launch(spec, directory.dataDir(), directory.logFile());
        } catch (IOException | RuntimeException e) {
            // etcd says "bind: address already in use"; Docker says "port is already allocated".
            throw failure(
                    "could not be launched: " + e, e, String.valueOf(e).contains("already allocated"));
        }
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        try {
            while (true) {
                if (!process.isAlive()) {
                    throw failure("exited while starting", null, logMentionsTakenPort());
                }
                if (EtcdHttp.healthy(clientEndpoint())) {
                    log.info("etcd member {} healthy at {}", name(), clientEndpoint());
                    return;
                }
                if (System.nanoTime() - deadline > 0) {
                    process.destroy();
                    throw failure(
                            "did not report healthy within " + START_TIMEOUT.toSeconds() + " s"
                                    + " (a cluster member is healthy only once a quorum of members runs)",
                            null,
                            false);
                }
                Thread.sleep(POLL_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.abort();
            throw failure("start was interrupted", e, false);
        }
    }

    private boolean logMentionsTakenPort() {
        return directory.tail(LOG_TAIL_LINES).contains("address already in use");
    }

    private EtcdStartException failure(String what, Throwable cause, boolean addressInUse) {
        return new EtcdStartException(
                "etcd member " + name() + " (" + clientEndpoint() + ") " + what + "; last lines of "
                        + directory.logFile() + ":\n" + directory.tail(LOG_TAIL_LINES),
                addressInUse,
                cause);
    }

    /**
     * Stops etcd gracefully (SIGTERM) and waits for it to exit, killing it if it takes longer than
     * 10 s. Does nothing when not running. If interrupted, kills etcd without waiting and returns
     * with the interrupt flag set.
     */
    public synchronized void stop() {
        if (!process.isAlive()) {
            return;
        }
        try {
            process.terminate(STOP_GRACE);
            directory.note("stopped");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.abort();
        }
    }

    /**
     * Kills etcd at once (SIGKILL, like a crash) and waits for it to exit. Data written to the WAL
     * survives. Does nothing when not running. If interrupted, returns with the interrupt flag set.
     */
    public synchronized void kill() {
        if (!process.isAlive()) {
            return;
        }
        try {
            process.destroy();
            directory.note("killed");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Stops etcd if it runs, then starts it again on the same ports with the same data dir.
     *
     * @throws EtcdStartException as {@link #start()}; a port taken meanwhile is not worked around,
     *     since moving would change the endpoint
     */
    public synchronized EtcdMember restart() {
        stop();
        return start();
    }

    /** Whether the etcd process (or container) is alive; says nothing about its health. */
    public boolean isRunning() {
        return !closed && process.isAlive();
    }

    /** The client URL, e.g. {@code http://127.0.0.1:23791}; stable across restarts. */
    public String clientEndpoint() {
        return spec.clientUrl();
    }

    /** The peer URL other members reach this one on. */
    public String peerEndpoint() {
        return spec.peerUrl();
    }

    /** The member name, unique within its cluster. */
    public String name() {
        return spec.name();
    }

    /** The etcd data dir; deleted by {@link #close()}. */
    public Path dataDir() {
        return directory.dataDir();
    }

    /** The file receiving etcd's output across all runs of this member; deleted by close. */
    public Path logFile() {
        return directory.logFile();
    }

    /**
     * Asks the running member for its raft status.
     *
     * @throws IllegalStateException when the member does not answer within 1 s
     */
    public MemberStatus status() {
        return tryStatus()
                .orElseThrow(() -> new IllegalStateException(
                        "etcd member " + name() + " at " + clientEndpoint() + " does not answer status"));
    }

    Optional<MemberStatus> tryStatus() {
        try {
            return EtcdHttp.status(clientEndpoint());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** The OS process id while etcd runs as a local process. */
    OptionalLong pid() {
        return process.handle().map(h -> OptionalLong.of(h.pid())).orElse(OptionalLong.empty());
    }

    /** Cuts short a {@link #start()} that another thread waits on, by killing etcd. */
    void abortStart() {
        process.abort();
    }

    /** Kills etcd if it runs and deletes the member's directory. Idempotent; never throws. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            process.destroy();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.abort();
        } catch (RuntimeException e) {
            log.warn("could not kill etcd member {}", name(), e);
        } finally {
            try {
                process.dispose();
            } catch (RuntimeException e) {
                log.warn("could not dispose of etcd member {}", name(), e);
            }
            directory.delete();
        }
    }

    @Override
    public String toString() {
        return "EtcdMember[" + name() + " " + clientEndpoint() + (isRunning() ? " running]" : "]");
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("etcd member " + name() + " is closed");
        }
    }
}
