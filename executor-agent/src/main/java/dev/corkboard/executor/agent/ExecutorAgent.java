package dev.corkboard.executor.agent;

import dev.corkboard.bbs.config.HostPort;
import dev.corkboard.bbs.config.OpenedResources;
import dev.corkboard.bbs.config.ProcessMain;
import dev.corkboard.bbs.server.MetricsEndpoint;
import dev.corkboard.executor.logs.LogGrpcService;
import dev.corkboard.executor.logs.TaskLog;
import dev.corkboard.executor.logs.TaskLogSettings;
import dev.corkboard.executor.logs.TaskLogs;
import dev.corkboard.executor.runtime.ContainerRuntime;
import dev.corkboard.executor.runtime.ContainerRuntimes;
import dev.corkboard.executor.runtime.RuntimeSettings;
import dev.corkboard.proto.v1.ExecutorPresence;
import dev.corkboard.proto.v1.LogServiceGrpc;
import dev.corkboard.proto.v1.Task;
import dev.corkboard.stager.ClientTls;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One executor agent: the daemon on a worker host. Start it with {@link #start(ExecutorConfig)}; {@link #close()}
 * drains and stops it.
 *
 * <p><b>Starting</b> opens the metrics endpoint, the container runtime, the task logs and the agent's gRPC server
 * (log service, health), then heartbeats its presence and, on a thread of its own: (1) delivers every result left in
 * the spool by a previous run, (2) destroys every container with this executor's owner prefix (a previous run's:
 * nothing of them is tracked any more), (3) settles the tasks the BBS still counts as this executor's (a claimed one
 * goes back to Pending, a running one completes as failed: its process died with the previous run), and only then
 * (4) starts claiming.
 *
 * <p><b>Closing</b> (SIGTERM) stops claiming, rejects a task claimed in the last moment, gives running tasks the
 * drain timeout, then stops what still runs and reports it failed with "executor shutting down", removes the
 * presence and closes everything in reverse order. Results that no BBS took stay in the spool for the next start.
 */
public final class ExecutorAgent implements ProcessMain.Running {

    /** The reason a task stopped by the agent's shutdown completes with. */
    public static final String SHUTTING_DOWN = "executor shutting down";
    /** The reason of a task whose process died with a previous run of the agent. */
    public static final String LOST_ON_RESTART = "executor restarted while the task ran; its process was lost";

    private static final Logger log = LoggerFactory.getLogger(ExecutorAgent.class);
    private static final String TAKEN_AWAY = "task was taken away from this executor";
    private static final Duration CANCEL_GRACE = Duration.ofMillis(500);
    private static final Duration STOP_GRACE = Duration.ofSeconds(2);
    /** How long a task the stream shows as ours but untracked may wait for its ClaimNext answer. */
    private static final Duration ORPHAN_GRACE = Duration.ofSeconds(5);

    private final ExecutorConfig config;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final HealthStatusManager health = new HealthStatusManager();
    private final OpenedResources opened = new OpenedResources();
    private final Map<String, TaskRun> runs = new ConcurrentHashMap<>();
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final AgentMetrics metrics = new AgentMetrics(registry);
    private CapacityLedger ledger;
    private ContainerRuntime runtime;
    private TaskLogs logs;
    private Server server;
    private BbsLink bbs;
    private ResultDelivery results;
    private PresenceHeartbeat presence;
    private TaskUpdates updates;
    private OrphanWatch orphans;
    private ClaimLoop claims;
    private Thread claimThread;
    private Optional<MetricsEndpoint> metricsEndpoint = Optional.empty();
    private volatile boolean closing;
    /** Held while a claimed task is being registered, and while closing begins: a claim either runs or is rejected. */
    private final Object claimGate = new Object();
    private volatile boolean claiming;
    private boolean closed;

    private ExecutorAgent(ExecutorConfig config) {
        this.config = config;
    }

    /**
     * Starts the agent; returns once its servers are bound. Claiming begins in the background once the spool is
     * delivered and leftovers are cleaned up.
     *
     * @throws IOException when a port cannot be bound or a directory cannot be used; whatever was opened is closed
     */
    public static ExecutorAgent start(ExecutorConfig config) throws IOException {
        ExecutorAgent agent = new ExecutorAgent(config);
        try {
            agent.open();
            return agent;
        } catch (IOException | RuntimeException e) {
            agent.close();
            throw e;
        }
    }

    private void open() throws IOException {
        if (config.metricsListen().isPresent()) {
            MetricsEndpoint endpoint = MetricsEndpoint.start(config.metricsListen().get().socketAddress(), registry,
                    () -> !closing);
            metricsEndpoint = Optional.of(endpoint);
            opened.push(endpoint);
        }
        ledger = new CapacityLedger(config.capacity(), config.defaultMemoryMb());
        metrics.running(ledger::running);
        runtime = ContainerRuntimes.create(config.runtime(), new RuntimeSettings(config.workDir(),
                RuntimeSettings.DEFAULT_CGROUP_ROOT, config.ownerPrefix(), config.defaultMemoryMb(),
                config.defaultMaxPids(), config.capacity().getMemoryMb(), config.rootFsDir(), config.taskUid(),
                config.taskGid()));
        opened.push(runtime);
        logs = TaskLogs.start(TaskLogSettings.defaults(config.logDir()).withMaxAge(config.logRetention())
                .withMaxTotalBytes(config.logMaxTotalMb() * 1024L * 1024L), Clock.systemUTC());
        opened.push(logs);
        openServer();
        bbs = new BbsLink(config.bbs(), config.tls(), config.callTimeout());
        opened.push(bbs);
        results = new ResultDelivery(bbs, new ResultSpool(config.spoolDir()), metrics, Duration.ofMillis(500));
        opened.push(results);
        presence = new PresenceHeartbeat(bbs, presence());
        opened.push(presence);
        presence.start();
        orphans = opened.push(new OrphanWatch(bbs, config.executorId(), ORPHAN_GRACE,
                guid -> runs.containsKey(guid) || results.spooled(guid)));
        updates = new TaskUpdates(bbs, config.executorId(), new Updates());
        opened.push(updates);
        claims = new ClaimLoop(bbs, config.executorId(), config.placementTags(), config.runtimes(),
                config.claimWait(), ledger, metrics, this::claimed);
        claimThread = new Thread(this::startClaiming, "corkboard-claim");
        claimThread.setDaemon(true);
        claimThread.start();
        log.info("executor {} started: runtime {}, capacity {} MB / {} MB disk / {} containers, tags {}, BBS {}",
                config.executorId(), config.runtime(), config.capacity().getMemoryMb(),
                config.capacity().getDiskMb(), config.capacity().getContainers(), config.placementTags(),
                config.bbs());
    }

    private void openServer() throws IOException {
        health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, ServingStatus.SERVING);
        health.setStatus(LogServiceGrpc.SERVICE_NAME, ServingStatus.SERVING);
        LogGrpcService logService = new LogGrpcService(logs);
        opened.push(logService);
        server = NettyServerBuilder.forAddress(config.listen().socketAddress(), serverCredentials())
                .addService(logService)
                .addService(health.getHealthService())
                .build()
                .start();
        opened.push(() -> {
            server.shutdownNow();
            server.awaitTermination(5, TimeUnit.SECONDS);
        });
    }

    /**
     * TLS with the agent's own certificate when it has one (the same CA that signs the BBS's certificates signs it,
     * so {@code cork} trusts both with one {@code --tls-ca}); plaintext otherwise.
     */
    private ServerCredentials serverCredentials() throws IOException {
        Optional<ClientTls> tls = config.tls();
        if (tls.isPresent() && tls.get().certificate().isPresent() && tls.get().privateKey().isPresent()) {
            return TlsServerCredentials.create(tls.get().certificate().get().toFile(),
                    tls.get().privateKey().get().toFile());
        }
        return InsecureServerCredentials.create();
    }

    private ExecutorPresence presence() {
        return ExecutorPresence.newBuilder()
                .setExecutorId(config.executorId())
                .setAddress(advertisedAddress())
                .setZone(config.zone())
                .setCapacity(config.capacity())
                .addAllPlacementTags(config.placementTags())
                .addAllRuntimes(config.runtimes())
                .build();
    }

    private String advertisedAddress() {
        if (config.advertiseAddress().isPresent()) {
            String address = config.advertiseAddress().get();
            return address.contains(":") ? address : address + ":" + server.getPort();
        }
        String host = config.listen().host();
        if (host.equals("0.0.0.0") || host.equals("::") || host.isEmpty()) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                host = "127.0.0.1";
            }
        }
        return new HostPort(host, server.getPort()).toString();
    }

    /** The start sequence of the class comment, then the claim loop; on the claim thread. */
    private void startClaiming() {
        try {
            Backoff backoff = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(5));
            while (!closing && !results.deliverSpooled()) {
                log.info("waiting for a BBS to take the spooled results before claiming");
                Thread.sleep(backoff.next().toMillis());
            }
            for (String handle : runtime.listOwned()) {
                log.info("destroying container {} left by a previous run", handle);
                runtime.destroy(handle);
            }
            new Reconciliation(bbs, config.executorId()).settleUntracked(runs.keySet(), LOST_ON_RESTART, () -> closing);
            if (closing) {
                return;
            }
            updates.start();
            claiming = true;
            log.info("executor {} claiming", config.executorId());
            claims.run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.error("the claim loop failed; this executor claims nothing more", e);
        } finally {
            claiming = false;
        }
    }

    private void claimed(Task task) {
        synchronized (claimGate) {
            if (closing) {
                // the answer of the last poll came back as the agent began to stop: the task never started here
                log.info("task {} was claimed as this executor began to stop; rejecting it", task.getGuid());
                new Reconciliation(bbs, config.executorId()).reject(task.getGuid(),
                        "executor shutting down before starting the task");
                return;
            }
            start(task);
        }
    }

    private void start(Task task) {
        String guid = task.getGuid();
        results.discard(guid);
        if (!earlierAttemptEnded(guid)) {
            log.warn("task {} was given back to this executor, but its earlier attempt here has not ended; rejecting it",
                    guid);
            new Reconciliation(bbs, config.executorId()).reject(guid, "the task's earlier attempt on this executor "
                    + "has not ended yet");
            return;
        }
        if (!ledger.hold(guid, task.getDefinition().getResources())) {
            // cannot happen with one poll at a time, but never run what does not fit
            log.warn("task {} was offered but does not fit what is free; rejecting it", guid);
            new Reconciliation(bbs, config.executorId()).reject(guid, "did not fit the executor's free capacity");
            return;
        }
        TaskLog taskLog;
        try {
            taskLog = logs.open(guid);
        } catch (IOException e) {
            log.error("cannot open the log of task {}; rejecting it", guid, e);
            ledger.release(guid);
            new Reconciliation(bbs, config.executorId()).reject(guid, "executor cannot write the task's log");
            return;
        }
        TaskRun run = new TaskRun(task, config.executorId(), config.ownerPrefix() + guid, runtime, bbs, results,
                taskLog, metrics, new TaskRun.ContainerDefaults(config.defaultMemoryMb(),
                        config.defaultMaxPids()), this::ended);
        runs.put(guid, run);
        Thread thread = new Thread(run, "corkboard-task-" + guid);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * A task taken away from this executor (back to Pending) can be given back to it while its earlier attempt here
     * is still winding down (stopping its container, giving up on StartTask). The new attempt waits for the earlier one
     * to end, so that one container of the task runs here at a time and the capacity the earlier attempt held is free.
     */
    private boolean earlierAttemptEnded(String guid) {
        TaskRun earlier = runs.get(guid);
        if (earlier == null) {
            return true;
        }
        earlier.stop(CANCEL_GRACE, TAKEN_AWAY);
        try {
            return ledger.awaitReleased(guid, STOP_GRACE.plus(config.callTimeout()).plusSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void ended(TaskRun run) {
        runs.remove(run.guid(), run);
        ledger.release(run.guid());
    }

    /** Cancellations and tasks taken away, from the BBS's stream of this executor's tasks. */
    private final class Updates implements TaskUpdates.Listener {
        @Override
        public void snapshot(java.util.List<Task> tasks) {
            tasks.forEach(this::changed);
            // a run whose task the BBS no longer counts as ours is stopped too, unless it was claimed this instant
            for (TaskRun run : runs.values()) {
                boolean listed = tasks.stream().anyMatch(t -> t.getGuid().equals(run.guid()));
                if (!listed && run.startedMoreThan(Duration.ofSeconds(5))) {
                    run.stop(CANCEL_GRACE, TAKEN_AWAY);
                }
            }
        }

        @Override
        public void changed(Task task) {
            TaskRun run = runs.get(task.getGuid());
            if (run == null) {
                orphans.seen(task);
                return;
            }
            switch (task.getState()) {
                case COMPLETED, RESOLVING -> run.stop(CANCEL_GRACE,
                        TaskUpdates.CANCELLED.equals(task.getFailureReason()) ? TaskUpdates.CANCELLED
                                : "task was completed elsewhere: " + task.getFailureReason());
                case PENDING -> run.stop(CANCEL_GRACE, TAKEN_AWAY);
                default -> {
                    if (!task.getExecutorId().equals(config.executorId())) {
                        run.stop(CANCEL_GRACE, TAKEN_AWAY);
                    }
                }
            }
        }
    }

    /** The bound gRPC port of the log service. */
    public int port() {
        return server.getPort();
    }

    /** The bound port of the metrics endpoint, if enabled. */
    public Optional<Integer> metricsPort() {
        return metricsEndpoint.map(MetricsEndpoint::port);
    }

    /** Whether the agent has finished starting up and is asking for work. */
    public boolean isClaiming() {
        return claiming;
    }

    /** Guids of the tasks running here now. */
    public java.util.Set<String> running() {
        return java.util.Set.copyOf(runs.keySet());
    }

    /** The agent's meters, for embedding and benchmarks. */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    @Override
    public void awaitTermination() throws InterruptedException {
        terminated.await();
    }

    /** Drains and stops as the class comment says; idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        synchronized (claimGate) {
            closing = true;
        }
        health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, ServingStatus.NOT_SERVING);
        try {
            drain();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.warn("draining failed", e);
        }
        opened.closeAll();
        registry.close();
        terminated.countDown();
        log.info("executor {} stopped", config.executorId());
    }

    private void drain() throws InterruptedException {
        if (claims == null) {
            return;
        }
        claims.stop();
        claimThread.interrupt();
        claimThread.join(TimeUnit.SECONDS.toMillis(10));
        log.info("executor {} stopped claiming; {} tasks running, draining for up to {}", config.executorId(),
                runs.size(), config.drainTimeout());
        new Reconciliation(bbs, config.executorId()).rejectUntrackedClaims(runs.keySet());
        if (!ledger.awaitEmpty(config.drainTimeout())) {
            log.warn("{} tasks still running after the drain timeout; stopping them", runs.size());
            runs.values().forEach(run -> run.stop(STOP_GRACE, SHUTTING_DOWN));
            ledger.awaitEmpty(STOP_GRACE.plus(config.callTimeout()).plusSeconds(5));
        }
    }
}
