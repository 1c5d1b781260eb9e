package dev.corkboard.bbs.executors;

import dev.corkboard.bbs.state.TaskException;
import dev.corkboard.bbs.store.EtcdFutures;
import dev.corkboard.bbs.store.Keys;
import dev.corkboard.proto.v1.ExecutorPresence;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Lease;
import io.etcd.jetcd.common.exception.ErrorCode;
import io.etcd.jetcd.common.exception.EtcdException;
import io.etcd.jetcd.options.LeaseOption;
import io.etcd.jetcd.options.PutOption;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Executor presence on etcd leases: {@code executors/<id>} holds the executor's {@link ExecutorPresence} on a lease of
 * {@link ExecutorSettings#ttl()}. The first heartbeat grants the lease and puts the presence; later ones renew the
 * lease (one read of the presence, one keep-alive) and put the presence again only when it changed. Leases live in
 * etcd, so any replica renews a lease any other granted: an executor whose replica died heartbeats to another within
 * the TTL and keeps its presence. A lease that expired meanwhile, or that carries another executor's presence, is
 * replaced by a new one, whose id the heartbeat returns.
 *
 * <p><b>etcd unreachable</b>: every call fails within the request timeout with {@link TaskException} carrying
 * {@code Unavailable}; the presence then lives on until its lease expires, and the executor retries (another replica).
 */
public final class Heartbeats {

    private static final LeaseOption WITH_KEYS = LeaseOption.builder().withAttachedKeys().build();

    private final KV kv;
    private final Lease leases;
    private final Keys keys;
    private final Duration requestTimeout;
    private final long ttlSeconds;
    private final Clock clock;

    public Heartbeats(Client client, Keys keys, Duration requestTimeout, ExecutorSettings settings, Clock clock) {
        this.kv = client.getKVClient();
        this.leases = client.getLeaseClient();
        this.keys = keys;
        this.requestTimeout = requestTimeout;
        this.ttlSeconds = settings.ttl().getSeconds();
        this.clock = clock;
    }

    /** The lease's time to live in seconds, as heartbeats answer it. */
    public long ttlSeconds() {
        return ttlSeconds;
    }

    /**
     * Registers ({@code leaseId} 0) or renews the presence; completes with the lease the presence is on now, which
     * differs from {@code leaseId} when that lease had expired (or was 0).
     */
    public CompletableFuture<Long> heartbeat(ExecutorPresence presence, long leaseId) {
        if (leaseId == 0) {
            return register(presence);
        }
        ByteSequence key = keys.executor(presence.getExecutorId());
        return bounded(kv.get(key))
                .thenCompose(response -> {
                    Optional<KeyValue> found = response.getKvs().stream().findFirst();
                    if (found.isPresent() && found.get().getLease() == leaseId) {
                        return bounded(leases.keepAliveOnce(leaseId))
                                .thenCompose(renewed -> refresh(presence, leaseId, found.get()));
                    }
                    return adopt(presence, leaseId, key);
                })
                .exceptionallyCompose(failure -> leaseNotFound(failure) ? register(presence)
                        : CompletableFuture.failedFuture(failure));
    }

    /**
     * The presence is missing or on another lease than {@code leaseId} (re-granted by a racing replica, or expired):
     * it goes on {@code leaseId} only if that lease carries no other executor's presence. An executor naming a lease
     * it was not given gets one of its own instead; renewing or joining another's lease would keep that executor
     * present after it died, and its Deregister would revoke the other's presence with it.
     */
    private CompletableFuture<Long> adopt(ExecutorPresence presence, long leaseId, ByteSequence key) {
        return bounded(leases.timeToLive(leaseId, WITH_KEYS)).thenCompose(lease -> {
            if (lease.getTTL() <= 0 || lease.getKeys().stream().anyMatch(attached -> !attached.equals(key))) {
                return register(presence);
            }
            return bounded(leases.keepAliveOnce(leaseId))
                    .thenCompose(renewed -> put(presence.toBuilder().setRegisteredAtMs(clock.millis()).build(),
                            leaseId))
                    .thenApply(put -> leaseId);
        });
    }

    /**
     * Removes the presence at once: revokes the lease its key is on (which deletes the key), or deletes a key on no
     * lease. Removing an absent presence succeeds.
     */
    public CompletableFuture<Void> deregister(String executorId) {
        ByteSequence key = keys.executor(executorId);
        return bounded(kv.get(key)).thenCompose(response -> {
            if (response.getKvs().isEmpty()) {
                return CompletableFuture.completedFuture(null);
            }
            long lease = response.getKvs().get(0).getLease();
            if (lease == 0) {
                return bounded(kv.delete(key)).thenApply(deleted -> null);
            }
            return bounded(leases.revoke(lease)).<Void>thenApply(revoked -> null)
                    .exceptionallyCompose(failure -> leaseNotFound(failure) ? CompletableFuture.completedFuture(null)
                            : CompletableFuture.failedFuture(failure));
        });
    }

    private CompletableFuture<Long> register(ExecutorPresence presence) {
        return bounded(leases.grant(ttlSeconds)).thenCompose(granted -> {
            long lease = granted.getID();
            ExecutorPresence stored = presence.toBuilder().setRegisteredAtMs(clock.millis()).build();
            return put(stored, lease).thenApply(put -> lease);
        });
    }

    /** Puts the presence found on {@code leaseId} again when it differs (registered_at aside) or does not parse. */
    private CompletableFuture<Long> refresh(ExecutorPresence presence, long leaseId, KeyValue found) {
        long registeredAt = clock.millis();
        ExecutorPresence stored = parse(found);
        if (stored != null) {
            registeredAt = stored.getRegisteredAtMs();
            if (stored.equals(presence.toBuilder().setRegisteredAtMs(registeredAt).build())) {
                return CompletableFuture.completedFuture(leaseId);
            }
        }
        return put(presence.toBuilder().setRegisteredAtMs(registeredAt).build(), leaseId).thenApply(put -> leaseId);
    }

    private CompletableFuture<?> put(ExecutorPresence presence, long lease) {
        return bounded(kv.put(keys.executor(presence.getExecutorId()), ByteSequence.from(presence.toByteArray()),
                PutOption.builder().withLeaseId(lease).build()));
    }

    private static ExecutorPresence parse(KeyValue kv) {
        try {
            return ExecutorPresence.parseFrom(kv.getValue().getBytes());
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            return null; // rewritten by the heartbeat
        }
    }

    /** etcd's "requested lease not found": the lease expired or was revoked. */
    static boolean leaseNotFound(Throwable failure) {
        Throwable cause = EtcdFutures.unwrap(failure);
        while (cause instanceof TaskException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof EtcdException etcd && etcd.getErrorCode() == ErrorCode.NOT_FOUND) {
            return true;
        }
        if (cause instanceof StatusRuntimeException status && status.getStatus().getCode() == Status.Code.NOT_FOUND) {
            return true;
        }
        return cause != null && String.valueOf(cause.getMessage()).contains("lease not found");
    }

    private <T> CompletableFuture<T> bounded(CompletableFuture<T> call) {
        return EtcdFutures.bounded(call, requestTimeout);
    }
}
