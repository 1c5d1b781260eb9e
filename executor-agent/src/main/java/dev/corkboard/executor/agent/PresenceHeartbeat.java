package dev.corkboard.executor.agent;

import dev.corkboard.proto.v1.DeregisterRequest;
import dev.corkboard.proto.v1.ExecutorPresence;
import dev.corkboard.proto.v1.HeartbeatRequest;
import dev.corkboard.proto.v1.HeartbeatResponse;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this executor's presence alive: heartbeats to any BBS replica every third of the lease TTL the BBS names
 * (every second while none answers). The presence is on an etcd lease that any replica can renew, so a replica dying
 * costs nothing as long as another answers within the TTL; when the lease has expired meanwhile the BBS grants a new
 * one and this class adopts its id. Without a presence the converger fails this executor's claimed and running tasks,
 * which is exactly what should happen to an executor nobody can reach.
 */
final class PresenceHeartbeat implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PresenceHeartbeat.class);
    private static final Duration RETRY = Duration.ofSeconds(1);

    private final BbsLink bbs;
    private final ExecutorPresence presence;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "corkboard-heartbeat");
        thread.setDaemon(true);
        return thread;
    });
    private final CountDownLatch registered = new CountDownLatch(1);
    private volatile long leaseId;
    private volatile boolean lastFailed;

    PresenceHeartbeat(BbsLink bbs, ExecutorPresence presence) {
        this.bbs = bbs;
        this.presence = presence;
    }

    void start() {
        timer.execute(this::beat);
    }

    /** Waits until a BBS has registered the presence once; returns whether it has. */
    boolean awaitRegistered(Duration timeout) throws InterruptedException {
        return registered.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void beat() {
        Duration next = RETRY;
        try {
            HeartbeatResponse response = bbs.executors(Duration.ZERO).heartbeat(HeartbeatRequest.newBuilder()
                    .setPresence(presence).setLeaseId(leaseId).build());
            if (response.getLeaseId() != leaseId) {
                log.info("presence of executor {} registered on lease {} (ttl {} s)", presence.getExecutorId(),
                        Long.toHexString(response.getLeaseId()), response.getTtlSeconds());
            } else if (lastFailed) {
                log.info("presence of executor {} renewed again", presence.getExecutorId());
            }
            leaseId = response.getLeaseId();
            lastFailed = false;
            registered.countDown();
            next = Duration.ofMillis(Math.max(200, response.getTtlSeconds() * 1000 / 3));
        } catch (StatusRuntimeException e) {
            if (!lastFailed) {
                log.warn("heartbeat failed: {}; retrying every {} s", e.getStatus(), RETRY.toSeconds());
            }
            lastFailed = true;
        } catch (RuntimeException e) {
            log.error("heartbeat failed unexpectedly", e);
        }
        try {
            timer.schedule(this::beat, next.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closing
        }
    }

    /** Stops heartbeating and removes the presence at once (best effort: otherwise it expires with its lease). */
    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (leaseId != 0) {
            try {
                bbs.executors(Duration.ZERO).deregister(DeregisterRequest.newBuilder()
                        .setExecutorId(presence.getExecutorId()).setLeaseId(leaseId).build());
                log.info("presence of executor {} removed", presence.getExecutorId());
            } catch (StatusRuntimeException e) {
                log.warn("could not remove the presence ({}); it expires with its lease", e.getStatus());
            }
        }
    }
}
