package dev.corkboard.bbs.callback;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A real HTTP server on a free loopback port that stands in for stagers' callback endpoints: it records every
 * request (path and body) and answers with the statuses a test scripts, then with 200 once the script is used up.
 * {@link #hold()} makes it keep requests waiting until {@link #release()}.
 */
final class CallbackReceiver implements AutoCloseable {

    /** One request as received. */
    record Received(String method, String path, String contentType, String body) {
        /** The guid at the end of the path {@code /callbacks/<guid>}. */
        String guid() {
            return path.substring(path.lastIndexOf('/') + 1);
        }
    }

    private final HttpServer server;
    private final ExecutorService threads = Executors.newFixedThreadPool(8);
    private final Deque<Integer> script = new ConcurrentLinkedDeque<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private volatile CountDownLatch held = new CountDownLatch(0);

    CallbackReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(threads);
        server.start();
    }

    /** The URL to give a task: {@code http://127.0.0.1:<port>/callbacks/<guid>}. */
    String url(String guid) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/callbacks/" + guid;
    }

    /** Answers the next requests with these statuses, in order, whichever task they are for. */
    void answer(Integer... statuses) {
        script.addAll(List.of(statuses));
    }

    /** Keeps every request waiting for an answer until {@link #release()}. */
    void hold() {
        held = new CountDownLatch(1);
    }

    void release() {
        held.countDown();
    }

    List<Received> received() {
        return List.copyOf(received);
    }

    List<Received> receivedFor(String guid) {
        List<Received> found = new ArrayList<>();
        for (Received request : received) {
            if (request.guid().equals(guid)) {
                found.add(request);
            }
        }
        return found;
    }

    Set<String> guidsReceived() {
        Set<String> guids = new TreeSet<>();
        received.forEach(request -> guids.add(request.guid()));
        return guids;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange; InputStream in = exchange.getRequestBody()) {
            String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                    exchange.getRequestHeaders().getFirst("Content-Type"), body));
            try {
                held.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Integer status = script.poll();
            exchange.sendResponseHeaders(status == null ? 200 : status, -1);
        }
    }

    @Override
    public void close() {
        release();
        server.stop(0);
        threads.shutdownNow();
    }
}
