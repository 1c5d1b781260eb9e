package dev.corkboard.bbs.store;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.grpc.netty.GrpcSslContexts;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
 * also owns a Vert.x instance (daemon event-loop threads), closed with it. Either way the channel is a Netty one, so
 * the {@link EtcdSecurity} TLS context applies to both.
 *
 * <p>Certificate and password files are read once, here: a certificate renewed on disk takes effect at the next
 * start. A server certificate that does not chain to the trusted CA fails every call as unavailable, with the TLS
 * handshake's reason as the cause.
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
        return open(endpoints, threadName, transport, EtcdSecurity.NONE);
    }

    /**
     * A client of {@code endpoints} over {@code transport}, secured by {@code security}, whose callbacks run on
     * threads named {@code threadName-N}.
     *
     * @throws IllegalArgumentException when {@code endpoints} is empty, or a certificate or key cannot be used
     * @throws UncheckedIOException when the password file cannot be read
     */
    public static EtcdConnection open(List<URI> endpoints, String threadName, EtcdTransport transport,
            EtcdSecurity security) {
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("at least one etcd endpoint is needed");
        }
        ExecutorService executor = Executors.newFixedThreadPool(
                Math.max(4, 2 * Runtime.getRuntime().availableProcessors()), daemonThreads(threadName));
        try {
            ClientBuilder builder = Client.builder()
                    .endpoints(endpoints.stream().map(URI::toString).toArray(String[]::new))
                    .executorService(executor);
            security.tls().ifPresent(tls -> builder.sslContext(sslContext(tls)));
            security.auth().ifPresent(auth -> builder.user(ByteSequence.from(auth.user(), StandardCharsets.UTF_8))
                    .password(ByteSequence.from(password(auth), StandardCharsets.UTF_8)));
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

    private static SslContext sslContext(EtcdSecurity.Tls tls) {
        try {
            SslContextBuilder builder = GrpcSslContexts.forClient().trustManager(tls.trustedCa().toFile());
            tls.clientCertificate().ifPresent(client -> builder.keyManager(client.certChain().toFile(),
                    client.privateKey().toFile()));
            return builder.build();
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot use the etcd TLS files (CA " + tls.trustedCa()
                    + tls.clientCertificate().map(c -> ", certificate " + c.certChain() + ", key " + c.privateKey())
                            .orElse("") + "): " + e.getMessage(), e);
        }
    }

    private static String password(EtcdSecurity.Auth auth) {
        try {
            return Files.readString(auth.passwordFile(), StandardCharsets.UTF_8).replaceFirst("[\\r\\n]+$", "");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the etcd password file " + auth.passwordFile(), e);
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
