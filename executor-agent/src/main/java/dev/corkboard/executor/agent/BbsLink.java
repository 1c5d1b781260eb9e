package dev.corkboard.executor.agent;

import dev.corkboard.proto.v1.ExecutorServiceGrpc;
import dev.corkboard.proto.v1.TaskServiceGrpc;
import dev.corkboard.stager.BbsChannel;
import dev.corkboard.stager.BbsEndpoints;
import dev.corkboard.stager.ClientTls;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The agent's connection to the BBS replicas: one channel spread over every replica that answers, skipping one that
 * went away (see {@link BbsChannel}), and stubs with the call deadline applied. Executors never talk to etcd.
 */
final class BbsLink implements AutoCloseable {

    private final ManagedChannel channel;
    private final Duration callTimeout;

    BbsLink(BbsEndpoints endpoints, Optional<ClientTls> tls, Duration callTimeout) {
        this.channel = BbsChannel.open(endpoints, tls);
        this.callTimeout = callTimeout;
    }

    /** Task calls (start, reject, complete) with the call deadline. */
    TaskServiceGrpc.TaskServiceBlockingStub tasks() {
        return TaskServiceGrpc.newBlockingStub(channel).withDeadlineAfter(callTimeout.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Executor calls with the call deadline plus {@code extra} (a long-poll's wait). */
    ExecutorServiceGrpc.ExecutorServiceBlockingStub executors(Duration extra) {
        return ExecutorServiceGrpc.newBlockingStub(channel).withDeadlineAfter(callTimeout.plus(extra).toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** The streaming stub, without a deadline (the stream lives as long as the agent). */
    ExecutorServiceGrpc.ExecutorServiceStub executorStream() {
        return ExecutorServiceGrpc.newStub(channel);
    }

    /**
     * Whether a failed call may have failed for want of a BBS (no replica, a replica going away, a deadline): such a
     * call is retried later; any other status is the BBS's answer.
     */
    static boolean unreachable(StatusRuntimeException e) {
        Status.Code code = e.getStatus().getCode();
        return code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED
                || code == Status.Code.CANCELLED || code == Status.Code.UNKNOWN
                || code == Status.Code.RESOURCE_EXHAUSTED;
    }

    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
