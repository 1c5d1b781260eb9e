package dev.corkboard.bbs.store;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import java.net.URI;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A jetcd {@link Client} for a Corkboard daemon, with a bounded executor of its own: jetcd's default runs callbacks
 * on an unbounded cached pool, which under a burst of slow etcd answers grows a thread per waiting call. Here the
 * pool has {@code max(4, 2 × cores)} daemon threads; work beyond it queues.
 *
 * <pre>{@code
 * try (EtcdConnection etcd = EtcdConnection.open(endpoints, "corkboard-etcd")) {
 *     EtcdTaskStore store = new EtcdTaskStore(etcd.client(), ...);
 * }
 * }</pre>
 *
 * <p>The client connects lazily and reconnects by itself; opening never fails because etcd is down, calls do.
 *
 * <p>The {@link EtcdTransport} picks the channel under jetcd's gRPC stubs; with {@link EtcdTransport#VERTX} the client
 * also owns a Vert.x instance (daemon event-loop threads), closed with it.
 */
public final class EtcdConnection implements AutoCloseable {

    private final Client client;
    private final ExecutorService executor;

    private EtcdConnection(Client client, ExecutorService executor) {
        this.client = client;
        this.executor = executor;
    }

    /**
     * A client of {@code endpoints} over jetcd's default transport whose callbacks run on threads named
     * {@code threadName-N}.
     *
     * @throws IllegalArgumentException when {@code endpoints} is empty
     */
    public static EtcdConnection open(List<URI> endpoints, String threadName) {
        return open(endpoints, threadName, EtcdTransport.GRPC);
    }

    /**
     * A client of {@code endpoints} over {@code transport} whose callbacks run on threads named {@code threadName-N}.
     *
     * @throws IllegalArgumentException when {@code endpoints} is empty
     */
    public static EtcdConnection open(List<URI> endpoints, String threadName, EtcdTransport transport) {
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("at least one etcd endpoint is needed");
        }
        ExecutorService executor = Executors.newFixedThreadPool(
                Math.max(4, 2 * Runtime.getRuntime().availableProcessors()), daemonThreads(threadName));
        try {
            ClientBuilder builder = Client.builder()
                    .endpoints(endpoints.stream().map(URI::toString).toArray(String[]::new))
                    .executorService(executor);
            Client client = (transport == EtcdTransport.VERTX ? builder.useVertx() : builder).build();
            return new EtcdConnection(client, executor);
        } catch (RuntimeException e) {
            executor.shutdownNow();
            throw e;
        }
    }

    /** The client; valid until {@link #close()}. */
    public Client client() {
        return client;
    }

    /** Closes the client (calls in flight fail) and then stops its threads. */
    @Override
    public void close() {
        try {
            client.close();
        } finally {
            executor.shutdownNow();
        }
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
