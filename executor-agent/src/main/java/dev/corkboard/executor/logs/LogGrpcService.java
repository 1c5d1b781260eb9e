package dev.corkboard.executor.logs;

import dev.corkboard.bbs.state.TaskValidation;
import dev.corkboard.proto.v1.LogLine;
import dev.corkboard.proto.v1.LogServiceGrpc;
import dev.corkboard.proto.v1.ReadLogsRequest;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Serves {@code corkboard.v1.LogService} over {@link TaskLogs}: a task's lines from the first, and with
 * {@code follow} every new line until the log is finished or the caller cancels.
 *
 * <p>Streams respect flow control: lines are read from the file only while the caller's transport is ready, so a slow
 * reader holds at most one batch in memory. The reading runs on a small pool of its own, woken by the log's flushes
 * and by the transport; a cancelled call closes its file at the next wake-up (at once, since cancelling wakes it).
 *
 * <p>Errors: INVALID_ARGUMENT for a guid that is not a task guid, NOT_FOUND when this executor holds no log of the
 * task, INTERNAL when the file cannot be read.
 */
public final class LogGrpcService extends LogServiceGrpc.LogServiceImplBase implements AutoCloseable {

    private static final int READERS = 2;

    private final TaskLogs logs;
    private final ExecutorService readers;

    public LogGrpcService(TaskLogs logs) {
        this.logs = logs;
        AtomicInteger count = new AtomicInteger();
        this.readers = Executors.newFixedThreadPool(READERS, runnable -> {
            Thread thread = new Thread(runnable, "log-reader-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    @Override
    public void readLogs(ReadLogsRequest request, StreamObserver<LogLine> responseObserver) {
        String guid = request.getTaskGuid();
        if (!TaskValidation.IDENTIFIER.matcher(guid).matches()) {
            responseObserver.onError(Status.INVALID_ARGUMENT.withDescription(
                    "task_guid must match " + TaskValidation.IDENTIFIER.pattern()).asRuntimeException());
            return;
        }
        LogCursor cursor;
        try {
            cursor = logs.read(guid);
        } catch (NoSuchTaskLogException e) {
            responseObserver.onError(Status.NOT_FOUND.withDescription(e.getMessage()).asRuntimeException());
            return;
        } catch (IOException e) {
            responseObserver.onError(Status.INTERNAL.withDescription("cannot read the log of task " + guid + ": "
                    + e.getMessage()).asRuntimeException());
            return;
        }
        new ReadLogsCall(guid, cursor, (ServerCallStreamObserver<LogLine>) responseObserver, request.getFollow(),
                readers).start();
    }

    /** Stops the reading pool; streams still open end when the server that carries them shuts down. */
    @Override
    public void close() {
        readers.shutdownNow();
    }
}
