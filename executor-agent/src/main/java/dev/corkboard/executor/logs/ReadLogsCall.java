package dev.corkboard.executor.logs;

import dev.corkboard.bbs.server.CallMetrics;
import dev.corkboard.proto.v1.LogLine;
import dev.corkboard.proto.v1.LogStream;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One ReadLogs stream: moves lines from a cursor to the caller while the caller is ready. Every event that may let it
 * go on (the transport became ready, the log was flushed or closed, the call was cancelled) calls {@link #wake()}; the
 * wake-ups are counted so that exactly one pass runs at a time and none is lost.
 */
final class ReadLogsCall {

    private static final Logger log = LoggerFactory.getLogger(ReadLogsCall.class);
    private static final int BATCH = 128;

    private final String taskGuid;
    private final LogCursor cursor;
    private final ServerCallStreamObserver<LogLine> caller;
    private final boolean follow;
    private final Executor readers;
    private final AtomicInteger wakeUps = new AtomicInteger();
    private volatile boolean cancelled;
    /** Touched only by the pass that runs, one at a time. */
    private boolean done;

    ReadLogsCall(String taskGuid, LogCursor cursor, ServerCallStreamObserver<LogLine> caller, boolean follow,
            Executor readers) {
        this.taskGuid = taskGuid;
        this.cursor = cursor;
        this.caller = caller;
        this.follow = follow;
        this.readers = readers;
    }

    void start() {
        caller.setOnCancelHandler(() -> {
            cancelled = true;
            wake();
        });
        caller.setOnReadyHandler(this::wake);
        cursor.whenAppended(this::wake);
        wake();
    }

    private void wake() {
        if (wakeUps.getAndIncrement() == 0) {
            try {
                readers.execute(this::passes);
            } catch (RejectedExecutionException e) {
                // the service is closing: the server's shutdown ends the call
                cancelled = true;
                cursor.close();
            }
        }
    }

    private void passes() {
        int missed = 1;
        do {
            pass();
            missed = wakeUps.addAndGet(-missed);
        } while (missed != 0);
    }

    private void pass() {
        if (done) {
            return;
        }
        try (MDC.MDCCloseable ignored = MDC.putCloseable(CallMetrics.TASK_GUID, taskGuid)) {
            while (!cancelled && caller.isReady()) {
                List<TaskLogLine> lines = cursor.next(BATCH);
                if (lines.isEmpty()) {
                    if (!follow || cursor.finished()) {
                        caller.onCompleted();
                        end();
                    }
                    return;
                }
                lines.forEach(line -> caller.onNext(message(line)));
            }
            if (cancelled) {
                end();
            }
        } catch (IOException e) {
            log.warn("reading the task's log failed: {}", e.toString());
            caller.onError(Status.INTERNAL.withDescription("cannot read the log of task " + taskGuid + ": "
                    + e.getMessage()).asRuntimeException());
            end();
        } catch (RuntimeException e) {
            // the call went away under us (cancelled between the check and the send)
            log.debug("log stream ended: {}", e.toString());
            end();
        }
    }

    private void end() {
        done = true;
        cursor.close();
    }

    private LogLine message(TaskLogLine line) {
        return LogLine.newBuilder().setTaskGuid(taskGuid).setTimestampMs(line.timestampMs())
                .setStream(switch (line.origin()) {
                    case STDOUT -> LogStream.STDOUT;
                    case STDERR -> LogStream.STDERR;
                    case EXECUTOR -> LogStream.EXECUTOR;
                })
                .setText(line.text()).build();
    }
}
