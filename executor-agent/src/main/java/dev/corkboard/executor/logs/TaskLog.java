package dev.corkboard.executor.logs;

import dev.corkboard.bbs.server.CallMetrics;
import dev.corkboard.executor.runtime.LogSink;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The log of one task while it runs on this host: the container's stdout and stderr lines (as the runtime's
 * {@link LogSink}) and the executor's own lines about the task ({@link #executor(String)}), each stamped with the time
 * it arrived. Thread-safe: the runtime's reader threads and the agent write concurrently.
 *
 * <p>Lines are buffered and reach the file at the next flush of {@link TaskLogs} (every
 * {@link TaskLogSettings#flushInterval()}), when followers are woken. {@link #close()} writes the {@code finished}
 * marker, forces the file to disk and ends every follower.
 *
 * <p>Failure: a line never throws. When the file cannot be written (disk full, directory removed) a warning is logged
 * once and every later line of this task is dropped; the file keeps what it had. Beyond
 * {@link TaskLogSettings#maxLogBytes()} one executor line says the log was truncated and later lines are dropped.
 */
public final class TaskLog implements LogSink, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TaskLog.class);
    private static final int BUFFER_BYTES = 64 * 1024;

    private final String taskGuid;
    private final FileChannel channel;
    private final OutputStream out;
    private final Clock clock;
    private final long maxBytes;
    private final Consumer<TaskLog> onEnd;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private long bytes;
    private boolean dirty;
    private boolean closing;
    private boolean broken;
    private boolean truncated;
    /** Set only after everything written has reached the file, so a reader that sees it can read to the end. */
    private volatile boolean ended;

    private TaskLog(String taskGuid, FileChannel channel, Clock clock, long maxBytes, Consumer<TaskLog> onEnd)
            throws IOException {
        this.taskGuid = taskGuid;
        this.channel = channel;
        this.out = new BufferedOutputStream(Channels.newOutputStream(channel), BUFFER_BYTES);
        this.clock = clock;
        this.maxBytes = maxBytes;
        this.onEnd = onEnd;
        this.bytes = channel.size();
    }

    /** Opens (creating, or appending to what an earlier attempt of the task left) the task's file. */
    static TaskLog append(String taskGuid, Path file, Clock clock, long maxBytes, Consumer<TaskLog> onEnd)
            throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        return new TaskLog(taskGuid, channel, clock, maxBytes, onEnd);
    }

    public String taskGuid() {
        return taskGuid;
    }

    @Override
    public void line(LogSink.Stream stream, String text) {
        append(stream == LogSink.Stream.STDERR ? TaskLogLine.Origin.STDERR : TaskLogLine.Origin.STDOUT, text);
    }

    /** A line the executor writes about the task: container created, exit status, a limit hit. */
    public void executor(String text) {
        append(TaskLogLine.Origin.EXECUTOR, text);
    }

    /** Whether the log still takes lines: false once closed, or abandoned when {@link TaskLogs} closed. */
    public boolean isOpen() {
        return !ended;
    }

    private synchronized void append(TaskLogLine.Origin origin, String text) {
        if (closing || broken || truncated) {
            return;
        }
        byte[] record = LogFileFormat.line(new TaskLogLine(clock.millis(), origin, text));
        if (bytes + record.length > maxBytes) {
            truncated = true;
            record = LogFileFormat.line(new TaskLogLine(clock.millis(), TaskLogLine.Origin.EXECUTOR,
                    "log truncated at " + maxBytes + " bytes: later lines of this task are dropped"));
        }
        try {
            out.write(record);
            bytes += record.length;
            dirty = true;
        } catch (IOException e) {
            broke(e);
        }
    }

    /** Writes buffered lines to the file and wakes the followers; called by {@link TaskLogs}'s flusher. */
    void flush() {
        synchronized (this) {
            if (!dirty || closing || broken) {
                return;
            }
            dirty = false;
            try {
                out.flush();
            } catch (IOException e) {
                broke(e);
            }
        }
        wake();
    }

    /**
     * Marks the log finished: writes the {@code finished} marker, forces the file to disk, closes it and ends every
     * follower. Idempotent. A failure to write is logged; the log ends all the same.
     */
    @Override
    public void close() {
        end(true);
    }

    /** Closes the file without the finished marker: the log of a task this agent stopped following. */
    void abandon() {
        end(false);
    }

    private void end(boolean finished) {
        synchronized (this) {
            if (closing) {
                return;
            }
            closing = true;
            try {
                if (!broken) {
                    if (finished) {
                        out.write(LogFileFormat.finished(clock.millis()));
                    }
                    out.flush();
                    channel.force(false);
                }
            } catch (IOException e) {
                broke(e);
            } finally {
                try {
                    channel.close();
                } catch (IOException e) {
                    warn("could not close the log file", e);
                }
                ended = true;
            }
        }
        onEnd.accept(this);
        wake();
    }

    void addListener(Runnable listener) {
        listeners.add(listener);
    }

    void removeListener(Runnable listener) {
        listeners.remove(listener);
    }

    /** How many cursors are woken by this log's flushes. */
    int followers() {
        return listeners.size();
    }

    private void wake() {
        listeners.forEach(Runnable::run);
    }

    private void broke(IOException e) {
        if (!broken) {
            broken = true;
            warn("could not write the task's log; its later lines are dropped", e);
        }
    }

    private void warn(String message, IOException e) {
        try (MDC.MDCCloseable ignored = MDC.putCloseable(CallMetrics.TASK_GUID, taskGuid)) {
            log.warn("{}: {}", message, e.toString());
        }
    }
}
