package dev.corkboard.bbs.executors;

import dev.corkboard.bbs.state.TaskRequest;
import dev.corkboard.bbs.store.EtcdTaskStore;
import dev.corkboard.bbs.store.Keys;
import dev.corkboard.proto.v1.ExecutorStatus;
import dev.corkboard.proto.v1.ExecutorTaskUpdate;
import io.etcd.jetcd.Client;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.function.Function;

/**
 * The executor side of one BBS replica: presence heartbeats, the ClaimNext long-poll over a pending pool, the
 * executors' task streams and the roster, all fed by one etcd watch ({@link TaskFeed}) and one timer thread.
 *
 * <pre>{@code
 * try (ExecutorHub hub = ExecutorHub.start(client, store, prefix, requestTimeout, settings, registry, statusOf)) {
 *     hub.claimNext(offer, waitMs, reply);
 * }
 * }</pre>
 *
 * <p><b>etcd unreachable</b>: heartbeats, claims and listings fail within the request timeout ({@code UNAVAILABLE});
 * ClaimNext never outlives its wait plus one request timeout; task streams end with {@code UNAVAILABLE} when the
 * watch behind them is cut off, and their executors reconnect. See each class for the detail.
 */
public final class ExecutorHub implements AutoCloseable {

    private final ExecutorSettings settings;
    private final ScheduledThreadPoolExecutor timer;
    private final Heartbeats heartbeats;
    private final ClaimBroker broker;
    private final ExecutorStreams streams;
    private final TaskFeed feed;
    private final ExecutorRoster roster;

    private ExecutorHub(Client client, EtcdTaskStore store, String prefix, Duration requestTimeout,
            ExecutorSettings settings, MeterRegistry registry, Function<Throwable, Status> statusOf) {
        this.settings = settings;
        this.timer = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "corkboard-executors-timer");
            thread.setDaemon(true);
            return thread;
        });
        timer.setRemoveOnCancelPolicy(true);
        ExecutorMetrics metrics = new ExecutorMetrics(registry);
        Keys keys = Keys.under(prefix);
        this.heartbeats = new Heartbeats(client, keys, requestTimeout, settings, Clock.systemUTC());
        this.broker = new ClaimBroker((guid, executorId) -> store.applyReporting(new TaskRequest.Claim(guid, executorId)),
                timer, settings, metrics);
        this.streams = new ExecutorStreams(store, settings, statusOf, metrics);
        this.feed = new TaskFeed(store, broker, streams, timer, settings.feedBuffer());
        this.roster = new ExecutorRoster(client.getKVClient(), store, keys, requestTimeout, timer, settings, metrics);
    }

    /**
     * Starts following the pending tasks in the background and returns at once; ClaimNext calls made before the
     * first listing completes are parked until it does.
     *
     * @param statusOf how a failure of a store call becomes a gRPC status (for task streams that end on one)
     */
    public static ExecutorHub start(Client client, EtcdTaskStore store, String prefix, Duration requestTimeout,
            ExecutorSettings settings, MeterRegistry registry, Function<Throwable, Status> statusOf) {
        ExecutorHub hub = new ExecutorHub(client, store, prefix, requestTimeout, settings, registry, statusOf);
        hub.feed.start();
        return hub;
    }

    public Heartbeats heartbeats() {
        return heartbeats;
    }

    /**
     * Starts one ClaimNext; {@code waitMs} 0 means the default wait, and longer than the maximum is cut to it.
     *
     * @return what to run when the caller goes away
     */
    public Runnable claimNext(ExecutorOffer offer, long waitMs, ClaimReply reply) {
        return broker.claimNext(offer, settings.waitFor(waitMs), reply);
    }

    /** Serves one WatchExecutorTasks call; must run while the service method runs. */
    public void watchTasks(String executorId, ServerCallStreamObserver<ExecutorTaskUpdate> call) {
        streams.open(executorId, call);
    }

    /** Every executor present, with what its Claimed and Running tasks use. */
    public CompletableFuture<List<ExecutorStatus>> list() {
        return roster.list();
    }

    /**
     * Ends task streams and parked ClaimNext calls with {@code UNAVAILABLE}, stops the watch and the timer. Claims in
     * flight still settle (within the request timeout).
     */
    @Override
    public void close() {
        feed.close();
        streams.close();
        broker.close();
        roster.close();
        timer.shutdownNow();
    }
}
