package dev.corkboard.converger;

import dev.corkboard.bbs.store.Fence;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Election;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Lease;
import io.etcd.jetcd.common.exception.ErrorCode;
import io.etcd.jetcd.common.exception.EtcdException;
import io.etcd.jetcd.election.LeaderKey;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.support.CloseableClient;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leadership of one election through etcd's election API, held on a lease this class keeps alive: like Curator's
 * {@code LeaderLatch}, one candidate among many, started once and closed once. While it leads, {@link #current()}
 * names the {@link Term}, whose {@link Fence} every write of the leader must carry.
 *
 * <p>One thread runs the candidacy: grant a lease (TTL {@code ttl}), keep it alive, campaign (which blocks while
 * another candidate leads), verify the election key still exists, then lead until the lease is lost,
 * {@link #stepDown(Term, String)} is called, or the latch is closed. Then it revokes the lease (deleting its
 * election key, so the next candidate leads at once) and, unless closed, campaigns again on a new lease.
 *
 * <p><b>Connection loss.</b> jetcd retries the keep-alive stream every half second. While etcd cannot be reached no
 * renewal lands; jetcd ends the keep-alive with {@code onCompleted} (not {@code onError}) once the TTL has passed
 * since the last renewal, and etcd expires the lease by itself on its side, deleting the election key. This class then
 * reports {@link Listener#deposed} and campaigns again once etcd answers. A leader that was paused (SIGSTOP, a long GC)
 * or partitioned may still believe it leads for up to about a second after etcd expired its key (jetcd checks the
 * deadline once a second, and the renewal that set it was answered after etcd had already started its TTL): that is
 * why leadership is never trusted locally and every write is fenced, so etcd itself refuses a deposed leader's write.
 * A campaign blocked on an unreachable etcd is abandoned as soon as the lease is known lost, and on close.
 *
 * <p>Listener callbacks run on the candidacy thread, one at a time, and must return quickly.
 */
public final class Leadership implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Leadership.class);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration RETRY_DELAY = Duration.ofSeconds(1);

    /** Told when this candidate starts and stops leading. */
    public interface Listener {
        void elected(Term term);

        void deposed(Term term, String reason);
    }

    /**
     * One spell of leadership.
     *
     * @param fence the election key and its create revision: every write of this term compares them
     * @param electedAt when this candidate learned it leads
     * @param leaseId the lease the election key is attached to
     */
    public record Term(Fence.ElectionKey fence, Instant electedAt, long leaseId) {}

    private final Client client;
    private final ByteSequence electionName;
    private final String candidateId;
    private final long ttlSeconds;
    private final Clock clock;
    private final Listener listener;
    private final Thread thread;
    private final AtomicReference<Optional<Term>> current = new AtomicReference<>(Optional.empty());
    /** Completes with a reason when the lease being served ends: lost, stepped down, or closing. */
    private volatile CompletableFuture<String> leaseEnd = new CompletableFuture<>();
    private volatile boolean closed;

    private Leadership(Client client, ByteSequence electionName, String candidateId, Duration ttl, Clock clock,
            Listener listener) {
        this.client = client;
        this.electionName = electionName;
        this.candidateId = candidateId;
        this.ttlSeconds = ttl.toSeconds();
        this.clock = clock;
        this.listener = listener;
        this.thread = new Thread(this::run, "leadership-" + candidateId);
        this.thread.setDaemon(true);
    }

    /**
     * Starts campaigning at once.
     *
     * @param electionName the election, e.g. {@code <prefix>/election/converger}
     * @param candidateId this candidate's name, stored as the value of its election key
     * @param ttl lease TTL in whole seconds: how long a silent leader keeps its key
     */
    public static Leadership start(Client client, ByteSequence electionName, String candidateId, Duration ttl,
            Clock clock, Listener listener) {
        if (ttl.toSeconds() < 1 || ttl.toMillis() % 1000 != 0) {
            throw new IllegalArgumentException("ttl must be whole seconds, at least 1, was " + ttl);
        }
        Leadership leadership = new Leadership(client, electionName, candidateId, ttl, clock, listener);
        leadership.thread.start();
        return leadership;
    }

    /** The term being served, if this candidate leads as far as it knows; see the class comment on fencing. */
    public Optional<Term> current() {
        return current.get();
    }

    /**
     * Gives up {@code term} at once (its writes were refused by the fence, say) and campaigns again; does nothing if
     * {@code term} is no longer current.
     */
    public void stepDown(Term term, String reason) {
        if (current.get().filter(term::equals).isPresent()) {
            leaseEnd.complete(reason);
        }
    }

    /** Stops campaigning and, if leading, resigns at once by revoking the lease; waits up to a few seconds. */
    @Override
    public void close() {
        closed = true;
        leaseEnd.complete("closing");
        try {
            thread.join(REQUEST_TIMEOUT.toMillis() * 2);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        while (!closed) {
            try {
                serveOneLease();
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                log.warn("candidacy of {} failed, retrying in {}: {}", candidateId, RETRY_DELAY, e.toString());
                try {
                    leaseEnd.get(RETRY_DELAY.toMillis(), TimeUnit.MILLISECONDS);
                } catch (TimeoutException | ExecutionException retry) {
                    // the delay passed; campaign again
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    private void serveOneLease() throws Exception {
        CompletableFuture<String> end = new CompletableFuture<>();
        leaseEnd = end;
        if (closed) {
            return;
        }
        Lease leases = client.getLeaseClient();
        long leaseId = leases.grant(ttlSeconds).get(REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).getID();
        CloseableClient keepAlive = leases.keepAlive(leaseId, new LeaseObserver(end));
        try {
            Optional<LeaderKey> key = campaign(leaseId, end);
            if (key.isPresent()) {
                lead(key.get(), end);
            }
        } finally {
            keepAlive.close();
            revoke(leases, leaseId);
        }
    }

    /** Campaigns until elected (empty if the lease ended first); abandons the blocked call when the lease ends. */
    private Optional<LeaderKey> campaign(long leaseId, CompletableFuture<String> end) throws Exception {
        Election election = client.getElectionClient();
        ByteSequence proposal = ByteSequence.from(candidateId, StandardCharsets.UTF_8);
        CompletableFuture<LeaderKey> elected = election.campaign(electionName, leaseId, proposal)
                .thenApply(response -> response.getLeader());
        CompletableFuture.anyOf(elected, end).get();
        if (end.isDone() || closed) {
            return Optional.empty();
        }
        LeaderKey key = elected.get();
        // a campaign can return after its own key vanished (lease revoked or expired meanwhile): check it is still ours
        List<KeyValue> kvs = client.getKVClient().get(key.getKey()).get(REQUEST_TIMEOUT.toMillis(),
                TimeUnit.MILLISECONDS).getKvs();
        boolean ours = !kvs.isEmpty() && kvs.get(0).getCreateRevision() == key.getRevision();
        return ours ? Optional.of(key) : Optional.empty();
    }

    private void lead(LeaderKey key, CompletableFuture<String> end) throws InterruptedException {
        Term term = new Term(new Fence.ElectionKey(key.getKey(), key.getRevision()), clock.instant(),
                key.getLease());
        current.set(Optional.of(term));
        log.info("{} leads (election key {} created at revision {})", candidateId,
                key.getKey().toString(StandardCharsets.UTF_8), key.getRevision());
        String reason;
        try {
            listener.elected(term);
            reason = end.get();
        } catch (ExecutionException e) {
            reason = String.valueOf(e.getCause());
        } finally {
            current.set(Optional.empty());
        }
        log.info("{} no longer leads: {}", candidateId, reason);
        listener.deposed(term, reason);
    }

    /** Best effort: a revoked lease deletes the election key so the next candidate leads without waiting a TTL. */
    private static void revoke(Lease leases, long leaseId) {
        try {
            leases.revoke(leaseId).get(REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            // lease already expired, or etcd unreachable: etcd expires it by itself after the TTL
            log.debug("could not revoke lease {}: {}", leaseId, e.toString());
        }
    }

    /** Ends the served lease when jetcd says it is gone; transient stream errors are retried by jetcd. */
    private static final class LeaseObserver implements StreamObserver<LeaseKeepAliveResponse> {

        private final CompletableFuture<String> end;

        LeaseObserver(CompletableFuture<String> end) {
            this.end = end;
        }

        @Override
        public void onNext(LeaseKeepAliveResponse response) {
            // renewed; jetcd tracks the deadline
        }

        @Override
        public void onError(Throwable failure) {
            if (failure instanceof EtcdException etcd && etcd.getErrorCode() == ErrorCode.NOT_FOUND) {
                end.complete("lease expired in etcd");
            } else if (failure instanceof EtcdException etcd && etcd.getErrorCode() == ErrorCode.CANCELLED) {
                end.complete("lease client closed");
            } else {
                log.debug("lease keep-alive interrupted, jetcd retries: {}", failure.toString());
            }
        }

        @Override
        public void onCompleted() {
            end.complete("lease not renewed within its TTL");
        }
    }
}
