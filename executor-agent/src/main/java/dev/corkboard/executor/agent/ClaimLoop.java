package dev.corkboard.executor.agent;

import dev.corkboard.proto.v1.Capacity;
import dev.corkboard.proto.v1.ClaimNextRequest;
import dev.corkboard.proto.v1.ClaimNextResponse;
import dev.corkboard.proto.v1.Task;
import io.grpc.Context;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the BBS for work while there is room: one ClaimNext long-poll at a time, naming what is free now, this
 * executor's placement tags and runtimes. The BBS answers with a task already claimed for this executor (it picks
 * among the pending tasks it learns of through its etcd watch, so polling costs etcd nothing), or with nothing after
 * the wait. One poll at a time means a claim can never overrun the free capacity it was asked for.
 *
 * <p>When no BBS answers, it waits (doubling up to 5 s) and asks again. {@link #stop()} cancels the poll in flight;
 * a task the BBS claimed just before the cancel reached it is found by the agent's reconciliation at shutdown and
 * rejected back to Pending.
 */
final class ClaimLoop implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(ClaimLoop.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

    private final BbsLink bbs;
    private final String executorId;
    private final List<String> tags;
    private final List<String> runtimes;
    private final Duration wait;
    private final CapacityLedger ledger;
    private final AgentMetrics metrics;
    private final Consumer<Task> claimed;
    private volatile boolean stopped;
    private volatile Context.CancellableContext poll;

    ClaimLoop(BbsLink bbs, String executorId, List<String> tags, List<String> runtimes, Duration wait,
            CapacityLedger ledger, AgentMetrics metrics, Consumer<Task> claimed) {
        this.bbs = bbs;
        this.executorId = executorId;
        this.tags = List.copyOf(tags);
        this.runtimes = List.copyOf(runtimes);
        this.wait = wait;
        this.ledger = ledger;
        this.metrics = metrics;
        this.claimed = claimed;
    }

    @Override
    public void run() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), MAX_BACKOFF);
        while (!stopped) {
            try {
                if (!ledger.awaitRoom(Duration.ofSeconds(1))) {
                    continue;
                }
                pollOnce();
                backoff.reset();
            } catch (InterruptedException e) {
                return;
            } catch (StatusRuntimeException e) {
                if (stopped) {
                    return;
                }
                Duration wait = backoff.next();
                log.warn("ClaimNext failed: {}; asking again in {} ms", e.getStatus(), wait.toMillis());
                if (!pause(wait)) {
                    return;
                }
            }
        }
    }

    private void pollOnce() {
        Capacity free = ledger.free();
        ClaimNextRequest request = ClaimNextRequest.newBuilder()
                .setExecutorId(executorId)
                .setFree(free)
                .addAllPlacementTags(tags)
                .addAllRuntimes(runtimes)
                .setWaitMs(wait.toMillis())
                .build();
        Context.CancellableContext context = Context.current().withCancellation();
        poll = context;
        ClaimNextResponse response;
        try {
            if (stopped) {
                return;
            }
            response = context.call(() -> bbs.executors(wait).claimNext(request));
        } catch (StatusRuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            context.cancel(null);
        }
        metrics.claim(response.hasTask());
        if (response.hasTask()) {
            claimed.accept(response.getTask());
        }
    }

    private boolean pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
            return !stopped;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Stops asking; cancels the long-poll in flight. */
    void stop() {
        stopped = true;
        Context.CancellableContext context = poll;
        if (context != null) {
            context.cancel(null);
        }
    }
}
