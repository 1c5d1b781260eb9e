package dev.corkboard.bbs.server;

import dev.corkboard.bbs.callback.CompletionCallbacks;
import dev.corkboard.bbs.config.OpenedResources;
import dev.corkboard.bbs.config.ProcessMain;
import dev.corkboard.bbs.executors.ExecutorHub;
import dev.corkboard.bbs.executors.ExecutorSettings;
import dev.corkboard.bbs.state.TaskLifecycle;
import dev.corkboard.bbs.store.ConvergerStatusReader;
import dev.corkboard.bbs.store.EtcdConnection;
import dev.corkboard.bbs.store.EtcdTaskStore;
import dev.corkboard.proto.v1.ExecutorServiceGrpc;
import dev.corkboard.proto.v1.TaskServiceGrpc;
import io.etcd.jetcd.Client;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.TlsServerCredentials;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One BBS replica: the gRPC {@code TaskService}, the executors' {@code ExecutorService} and the operators'
 * {@code ClusterService} (plus the health and reflection services) over an etcd task store, with a Prometheus endpoint beside it. Start it with {@link #start(BbsConfig, List)}; {@link #close()} stops it.
 * Replicas hold no state of their own, so any number of them may run against one etcd.
 *
 * <p><b>Opening and closing</b>: the metrics endpoint, the etcd client, the store's {@link Component}s and the gRPC
 * server are opened in this order and closed in the reverse order. Closing first reports {@code NOT_SERVING} on the
 * health service, stops accepting calls, ends every watch stream with {@code UNAVAILABLE} (the caller resumes on
 * another replica from its last revision), lets unary calls in flight finish within the shutdown grace period, and
 * cancels what is left.
 *
 * <p><b>etcd unreachable</b>: the health service says {@code NOT_SERVING} until etcd has answered once; afterwards
 * calls fail with {@code UNAVAILABLE} within the request timeout while etcd is away, and succeed again when it is back
 * (the jetcd client reconnects by itself).
 */
public final class BbsServer implements ProcessMain.Running {

    /**
     * Something that runs beside the task service on the same store and registry, for example completion callbacks.
     * Started after the store exists and before the gRPC server accepts calls; closed after the server has stopped.
     */
    @FunctionalInterface
    public interface Component {
        AutoCloseable start(EtcdTaskStore store, MeterRegistry registry) throws Exception;
    }

    /** The name the health service reports the task service under (the empty name stands for the whole server). */
    public static final String SERVICE_NAME = TaskServiceGrpc.SERVICE_NAME;
    /** The name the health service reports the executor service under. */
    public static final String EXECUTOR_SERVICE_NAME = ExecutorServiceGrpc.SERVICE_NAME;

    private static final Logger log = LoggerFactory.getLogger(BbsServer.class);

    private final BbsConfig config;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final HealthStatusManager health = new HealthStatusManager();
    /** What is open, most recent first: closing pops it. */
    private final OpenedResources opened = new OpenedResources();
    private volatile boolean serving;
    private Optional<MetricsEndpoint> metrics = Optional.empty();
    private Client client;
    private EtcdTaskStore store;
    private WatchSubscribers subscribers;
    private ExecutorHub executors;
    private Server server;
    private boolean closed;

    private BbsServer(BbsConfig config) {
        this.config = config;
    }

    /** Starts a replica without extra components. */
    public static BbsServer start(BbsConfig config) throws IOException {
        return start(config, List.of());
    }

    /**
     * Starts a replica and returns once its gRPC port is bound; it reports {@code SERVING} on the health service once
     * etcd has answered.
     *
     * @throws IOException when a port cannot be bound or a TLS file cannot be read; whatever was opened is closed
     */
    public static BbsServer start(BbsConfig config, List<Component> components) throws IOException {
        BbsServer bbs = new BbsServer(config);
        try {
            bbs.open(components);
            return bbs;
        } catch (IOException | RuntimeException e) {
            bbs.close();
            throw e;
        }
    }

    private void open(List<Component> components) throws IOException {
        health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, ServingStatus.NOT_SERVING);
        health.setStatus(SERVICE_NAME, ServingStatus.NOT_SERVING);
        health.setStatus(EXECUTOR_SERVICE_NAME, ServingStatus.NOT_SERVING);
        if (config.metricsListen().isPresent()) {
            MetricsEndpoint endpoint = MetricsEndpoint.start(config.metricsListen().get().socketAddress(), registry,
                    () -> serving);
            metrics = Optional.of(endpoint);
            opened.push(endpoint);
        }
        openStore();
        // every replica follows completions; the Resolving compare-and-swap lets one of them deliver each callback
        opened.push(CompletionCallbacks.start(store, config.callbacks(), registry));
        for (Component component : components) {
            try {
                opened.push(component.start(store, registry));
            } catch (IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException("a BBS component failed to start: " + e.getMessage(), e);
            }
        }
        openGrpc();
        opened.push(new ReadinessProbe(store, this::etcdAnswered));
    }

    private void openStore() {
        EtcdConnection etcd = EtcdConnection.open(config.etcdEndpoints(), "corkboard-etcd",
                config.etcdTransport(), config.etcdSecurity());
        opened.push(etcd);
        client = etcd.client();
        store = new EtcdTaskStore(client, new TaskLifecycle(), Clock.systemUTC(), config.storeSettings(), registry);
    }

    private void openGrpc() throws IOException {
        subscribers = new WatchSubscribers(config.maxWatchSubscribers(),
                new SharedTaskWatch(store, config.watchBuffer(), config.requestTimeout(), registry), registry);
        ExecutorService grpcExecutor = Executors.newFixedThreadPool(
                Math.max(4, 2 * Runtime.getRuntime().availableProcessors()), daemonThreads("corkboard-grpc"));
        opened.push(grpcExecutor::shutdownNow);
        TaskGrpcService tasks = new TaskGrpcService(store, new TaskCounters(registry), subscribers,
                config.watchBuffer(), grpcExecutor);
        ClusterGrpcService cluster = new ClusterGrpcService(new ConvergerStatusReader(client.getKVClient(),
                config.storeSettings()));
        executors = ExecutorHub.start(client, store, config.etcdPrefix(), config.requestTimeout(),
                ExecutorSettings.defaults().withTtl(config.executorTtl()).withStreamBuffer(config.watchBuffer()),
                registry, failure -> ErrorStatus.exception(failure, "").getStatus());
        // closed after the gRPC server (pushed before it): parked ClaimNext calls and task streams end first in
        // stopGrpc, claims in flight settle while unary calls finish
        opened.push(executors);
        CallMetrics callMetrics = new CallMetrics(registry);
        // under mutual TLS an executor is the CN of its client certificate; without it there is no identity to check
        ServerInterceptor[] interceptors = config.tls().flatMap(BbsConfig.Tls::clientCa).isPresent()
                ? new ServerInterceptor[] {callMetrics, new ExecutorIdentity()}
                : new ServerInterceptor[] {callMetrics};
        server = NettyServerBuilder.forAddress(config.listen().socketAddress(), credentials())
                .executor(grpcExecutor)
                .maxInboundMessageSize(config.maxInboundMessageBytes())
                // grpc's default (5 min) answers clients that ping more often, the stager client every 30 s, with
                // GOAWAY too_many_pings, which resets their watch streams; pings cost next to nothing, so idle
                // connections may ping too
                .permitKeepAliveTime(config.permitKeepAliveTime().toNanos(), TimeUnit.NANOSECONDS)
                .permitKeepAliveWithoutCalls(true)
                .addService(ServerInterceptors.intercept(tasks, interceptors))
                .addService(ServerInterceptors.intercept(new ExecutorGrpcService(executors), interceptors))
                .addService(ServerInterceptors.intercept(cluster, callMetrics))
                .addService(ServerInterceptors.intercept(health.getHealthService(), callMetrics))
                .addService(ProtoReflectionServiceV1.newInstance())
                .build()
                .start();
        opened.push(this::stopGrpc);
        log.info("BBS serving corkboard.v1.TaskService, ExecutorService and ClusterService on port {} ({}), etcd {}"
                + " under {}", port(), config.tls().isPresent() ? (interceptors.length > 1 ? "mutual TLS" : "TLS")
                : "plaintext", config.etcdEndpoints(), config.etcdPrefix());
    }

    private ServerCredentials credentials() throws IOException {
        if (config.tls().isEmpty()) {
            return InsecureServerCredentials.create();
        }
        BbsConfig.Tls tls = config.tls().get();
        TlsServerCredentials.Builder builder = TlsServerCredentials.newBuilder()
                .keyManager(tls.certChain().toFile(), tls.privateKey().toFile());
        if (tls.clientCa().isPresent()) {
            builder.trustManager(tls.clientCa().get().toFile()).clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
        }
        return builder.build();
    }

    private void etcdAnswered() {
        if (!closed) {
            serving = true;
            health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, ServingStatus.SERVING);
            health.setStatus(SERVICE_NAME, ServingStatus.SERVING);
            health.setStatus(EXECUTOR_SERVICE_NAME, ServingStatus.SERVING);
            log.info("etcd answered: BBS reports SERVING");
        }
    }

    /** Stops accepting, ends watches, waits for unary calls in flight up to the grace period, cancels the rest. */
    private void stopGrpc() throws InterruptedException {
        server.shutdown();
        executors.close();
        subscribers.endAll(Status.UNAVAILABLE.withDescription(
                "this BBS replica is shutting down; watch again on another replica after the last revision received"));
        if (!server.awaitTermination(config.shutdownGrace().toMillis(), TimeUnit.MILLISECONDS)) {
            log.warn("calls still running after the shutdown grace period of {}; cancelling them",
                    config.shutdownGrace());
            server.shutdownNow();
            server.awaitTermination(config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** The bound gRPC port. */
    public int port() {
        return server.getPort();
    }

    /** The bound port of the metrics endpoint, if it is enabled. */
    public Optional<Integer> metricsPort() {
        return metrics.map(MetricsEndpoint::port);
    }

    /** The store this replica serves, for components and tests. */
    public EtcdTaskStore store() {
        return store;
    }

    /** The registry every meter of this replica is in. */
    public MeterRegistry registry() {
        return registry;
    }

    /** Whether etcd has answered and the replica has not begun to shut down. */
    public boolean isServing() {
        return serving;
    }

    /** Blocks until the gRPC server has terminated (after {@link #close()}). */
    @Override
    public void awaitTermination() throws InterruptedException {
        server.awaitTermination();
    }

    /** Shuts down as described in the class comment; idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        serving = false;
        health.enterTerminalState();
        log.info("BBS shutting down");
        opened.closeAll();
        registry.close();
        log.info("BBS stopped");
    }

    private static ThreadFactory daemonThreads(String name) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
