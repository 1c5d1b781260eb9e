package dev.corkboard.bbs.server;

import dev.corkboard.bbs.state.TaskError;
import dev.corkboard.bbs.state.TaskException;
import dev.corkboard.bbs.store.EtcdFutures;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The one place where task refusals become gRPC statuses. Every status carries the error's sentence as its
 * description and the error's stable name in the {@code corkboard-error} trailer (plus the offending field in
 * {@code corkboard-field} for invalid requests), so clients branch on names, never on message text.
 *
 * <p>A corrupt stored record maps to {@code DATA_LOSS}, not {@code INTERNAL}: the server worked as designed, the
 * record itself cannot be read, a retry will fail the same way, and only repairing or pruning the record (the
 * converger deletes unparseable records) helps. {@code INTERNAL} stays reserved for bugs in the server.
 */
public final class ErrorStatus {

    /** Stable name of the refusal: {@code not_found}, {@code invalid_transition}, … */
    public static final Metadata.Key<String> ERROR_KEY =
            Metadata.Key.of("corkboard-error", Metadata.ASCII_STRING_MARSHALLER);
    /** The protobuf field path an {@code invalid_request} names. */
    public static final Metadata.Key<String> FIELD_KEY =
            Metadata.Key.of("corkboard-field", Metadata.ASCII_STRING_MARSHALLER);

    private static final Logger log = LoggerFactory.getLogger(ErrorStatus.class);

    private ErrorStatus() {}

    /**
     * The status of a refusal. Java 17 has no pattern switch, so this is an instanceof chain over the sealed
     * {@link TaskError}; {@code ErrorStatusTest} walks {@code TaskError.class.getPermittedSubclasses()} so that a new
     * error cannot go unmapped unnoticed.
     */
    public static Status of(TaskError error) {
        return codeOf(error).withDescription(error.message());
    }

    private static Status codeOf(TaskError error) {
        if (error instanceof TaskError.InvalidRequest) {
            return Status.INVALID_ARGUMENT;
        }
        if (error instanceof TaskError.NotFound) {
            return Status.NOT_FOUND;
        }
        if (error instanceof TaskError.InvalidTransition || error instanceof TaskError.OwnedByAnotherExecutor) {
            return Status.FAILED_PRECONDITION;
        }
        if (error instanceof TaskError.AlreadyExists) {
            return Status.ALREADY_EXISTS;
        }
        if (error instanceof TaskError.Unavailable) {
            return Status.UNAVAILABLE;
        }
        if (error instanceof TaskError.CorruptRecord) {
            return Status.DATA_LOSS;
        }
        if (error instanceof TaskError.NotTheCaller) {
            return Status.PERMISSION_DENIED;
        }
        throw new IllegalStateException("unmapped task error " + error.getClass().getName());
    }

    /** The stable name of a refusal, as sent in the {@link #ERROR_KEY} trailer: the record's name in snake case. */
    public static String name(TaskError error) {
        return error.getClass().getSimpleName().replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }

    /** A refusal as the exception to hand to {@code StreamObserver.onError}. */
    public static StatusRuntimeException exception(TaskError error) {
        Metadata trailers = new Metadata();
        trailers.put(ERROR_KEY, name(error));
        if (error instanceof TaskError.InvalidRequest invalid) {
            trailers.put(FIELD_KEY, invalid.field());
        }
        return of(error).asRuntimeException(trailers);
    }

    /**
     * Whatever a call failed with, as a status exception: refusals by the table above, statuses as they are, and
     * anything else as {@code INTERNAL} with a generic description; the detail goes to the log, not to the caller.
     *
     * @param guid the task the call was about, logged with the detail; empty for calls about no task
     */
    public static StatusRuntimeException exception(Throwable failure, String guid) {
        Throwable cause = EtcdFutures.unwrap(failure);
        if (cause instanceof TaskException refusal) {
            return exception(refusal.error());
        }
        if (cause instanceof StatusRuntimeException status) {
            return status;
        }
        if (!guid.isEmpty()) {
            MDC.put(CallMetrics.TASK_GUID, guid);
        }
        try {
            log.error("unexpected failure of a task call", cause);
        } finally {
            MDC.remove(CallMetrics.TASK_GUID);
        }
        return Status.INTERNAL.withDescription("internal error; the BBS logged the detail").asRuntimeException();
    }
}
