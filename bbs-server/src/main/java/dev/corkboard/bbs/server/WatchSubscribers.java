package dev.corkboard.bbs.server;

import io.grpc.Status;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The open WatchTasks streams of this replica: bounded in number (each holds a thread and a buffer), counted in the
 * gauge {@code corkboard.bbs.watch.subscribers}, fed by the replica's {@link SharedTaskWatch} (a stream catching up
 * from an older revision holds a store watch of its own), and ended together when the server shuts down.
 */
final class WatchSubscribers {

    private final int max;
    private final SharedTaskWatch shared;
    private final Set<WatchStream> open = new LinkedHashSet<>();
    private Optional<Status> closedWith = Optional.empty();

    WatchSubscribers(int max, SharedTaskWatch shared, MeterRegistry registry) {
        this.max = max;
        this.shared = shared;
        Gauge.builder("corkboard.bbs.watch.subscribers", this, WatchSubscribers::count)
                .description("WatchTasks streams open on this replica")
                .register(registry);
    }

    /** Admits a stream, or says why not: the replica is shutting down, or it already serves the maximum. */
    synchronized Optional<Status> admit(WatchStream stream) {
        if (closedWith.isPresent()) {
            return closedWith;
        }
        if (open.size() >= max) {
            return Optional.of(Status.RESOURCE_EXHAUSTED.withDescription("this BBS replica already serves " + max
                    + " task watches (max-watch-subscribers); retry later or on another replica"));
        }
        open.add(stream);
        return Optional.empty();
    }

    SharedTaskWatch shared() {
        return shared;
    }

    synchronized void leave(WatchStream stream) {
        open.remove(stream);
    }

    synchronized int count() {
        return open.size();
    }

    /**
     * Refuses new streams, ends every open one with {@code status} and stops the shared watch; returns once each has
     * let go of etcd.
     */
    void endAll(Status status) {
        List<WatchStream> streams;
        synchronized (this) {
            closedWith = Optional.of(status);
            streams = new ArrayList<>(open);
        }
        for (WatchStream stream : streams) {
            stream.end(status);
        }
        shared.close();
    }
}
