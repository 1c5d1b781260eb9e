package dev.corkboard.bbs.store;

import dev.corkboard.bbs.state.TaskError;
import dev.corkboard.bbs.state.TaskException;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.common.exception.ErrorCode;
import io.etcd.jetcd.common.exception.EtcdException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Puts a deadline on every etcd call and turns transport failures into {@link TaskError.Unavailable}. */
public final class EtcdFutures {

    private EtcdFutures() {}

    /**
     * The call's result, or {@link TaskError.Unavailable} when etcd fails or does not answer within the deadline. A
     * write that timed out may still apply later; every transition is idempotent, so callers retry.
     */
    public static <T> CompletableFuture<T> bounded(CompletableFuture<T> call, Duration deadline) {
        return call.orTimeout(deadline.toMillis(), TimeUnit.MILLISECONDS)
                .exceptionallyCompose(failure -> CompletableFuture.failedFuture(translate(failure, deadline)));
    }

    /** The failure inside the {@link CompletionException} / {@link ExecutionException} wrappers futures add. */
    public static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    /**
     * Whether etcd refused because the revision asked for is compacted: watches report it as
     * {@link CompactedException}, range reads as an OUT_OF_RANGE status (raw or wrapped by jetcd).
     */
    static boolean isCompacted(Throwable failure) {
        Throwable cause = unwrap(failure);
        if (cause instanceof TaskException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof CompactedException) {
            return true;
        }
        if (cause instanceof StatusRuntimeException status) {
            return status.getStatus().getCode() == Status.Code.OUT_OF_RANGE
                    && String.valueOf(status.getMessage()).contains("compacted");
        }
        return cause instanceof EtcdException etcd && etcd.getErrorCode() == ErrorCode.OUT_OF_RANGE
                && String.valueOf(etcd.getMessage()).contains("compacted");
    }

    static TaskException translate(Throwable failure, Duration deadline) {
        Throwable cause = unwrap(failure);
        if (cause instanceof TaskException taskException) {
            return taskException;
        }
        if (cause instanceof TimeoutException) {
            return new TaskException(new TaskError.Unavailable("etcd did not answer within " + deadline), cause);
        }
        if (cause instanceof EtcdException etcd) {
            return new TaskException(new TaskError.Unavailable(etcd.getErrorCode() + ": " + etcd.getMessage()), cause);
        }
        return new TaskException(new TaskError.Unavailable(String.valueOf(cause)), cause);
    }

    /** Waits for a store future and rethrows its {@link TaskException} as is, for blocking callers. */
    public static <T> T join(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            Throwable cause = unwrap(e);
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw e;
        }
    }
}
