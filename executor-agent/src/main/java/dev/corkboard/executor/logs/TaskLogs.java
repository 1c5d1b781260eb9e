package dev.corkboard.executor.logs;

import dev.corkboard.bbs.state.TaskValidation;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The task logs of this executor host: one file per task ({@code <directory>/<task guid>.log}, see
 * {@link LogFileFormat}), written through a {@link TaskLog} while the task runs and readable through a
 * {@link LogCursor} while it runs and afterwards, also by a later agent process.
 *
 * <p>One background thread flushes every open log each {@link TaskLogSettings#flushInterval()} (waking followers) and
 * applies the retention rules ({@link LogRetention}) each {@link TaskLogSettings#sweepInterval()}. Only
 * logs not open in this process are ever deleted; a log left unfinished by an earlier process counts as finished when
 * its file was last written.
 *
 * <p>{@link #close()} stops the thread and closes the logs still open without their finished marker (they stay
 * readable, and followers end).
 */
public final class TaskLogs implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TaskLogs.class);
    private static final String SUFFIX = ".log";
    private static final int TAIL_BYTES = 256;

    private final TaskLogSettings settings;
    private final Clock clock;
    private final LogRetention retention;
    private final ScheduledExecutorService background;
    private final Map<String, TaskLog> open = new HashMap<>();
    private boolean closed;

    private TaskLogs(TaskLogSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        this.retention = new LogRetention(settings.maxAge(), settings.maxTotalBytes());
        this.background = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "task-logs");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Creates the directory when missing, applies the retention rules once, and starts flushing and sweeping.
     *
     * @param clock stamps lines and finished markers, and is the "now" of the age rule
     * @throws IOException when the directory cannot be created
     */
    public static TaskLogs start(TaskLogSettings settings, Clock clock) throws IOException {
        Files.createDirectories(settings.directory());
        TaskLogs logs = new TaskLogs(settings, clock);
        logs.sweepLogging();
        long flushMs = settings.flushInterval().toMillis();
        long sweepMs = settings.sweepInterval().toMillis();
        logs.background.scheduleWithFixedDelay(logs::flushAll, flushMs, flushMs, TimeUnit.MILLISECONDS);
        logs.background.scheduleWithFixedDelay(logs::sweepLogging, sweepMs, sweepMs, TimeUnit.MILLISECONDS);
        return logs;
    }

    /**
     * Opens the task's log for writing when the task starts on this host. A log the task left here before (an earlier
     * attempt) is appended to.
     *
     * @throws IllegalArgumentException when the guid is not a task guid
     * @throws IllegalStateException when the task's log is already open, or these logs are closed
     * @throws IOException when the file cannot be created
     */
    public TaskLog open(String taskGuid) throws IOException {
        checkGuid(taskGuid);
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("task logs are closed");
            }
            if (open.containsKey(taskGuid)) {
                throw new IllegalStateException("the log of task " + taskGuid + " is already open");
            }
            TaskLog taskLog = TaskLog.append(taskGuid, file(taskGuid), clock, settings.maxLogBytes(), this::ended);
            open.put(taskGuid, taskLog);
            return taskLog;
        }
    }

    /**
     * A reader of the task's log from its first line; it follows the writer while the log is open in this process.
     *
     * @throws IllegalArgumentException when the guid is not a task guid
     * @throws NoSuchTaskLogException when there is no log of the task here
     * @throws IOException when the file exists but cannot be opened
     */
    public LogCursor read(String taskGuid) throws NoSuchTaskLogException, IOException {
        checkGuid(taskGuid);
        synchronized (this) {
            try {
                FileChannel channel = FileChannel.open(file(taskGuid), StandardOpenOption.READ);
                return new LogCursor(channel, Optional.ofNullable(open.get(taskGuid)));
            } catch (NoSuchFileException e) {
                throw new NoSuchTaskLogException(taskGuid);
            }
        }
    }

    /** Every line of the task's log as the file holds it now (see {@link #read(String)} for the failures). */
    public List<TaskLogLine> readAll(String taskGuid) throws NoSuchTaskLogException, IOException {
        try (LogCursor cursor = read(taskGuid)) {
            List<TaskLogLine> lines = new ArrayList<>();
            for (List<TaskLogLine> batch = cursor.next(1024); !batch.isEmpty(); batch = cursor.next(1024)) {
                lines.addAll(batch);
            }
            return lines;
        }
    }

    /** Whether the task's log is open for writing in this process. */
    public synchronized boolean isOpen(String taskGuid) {
        return open.containsKey(taskGuid);
    }

    /**
     * Applies the retention rules now (the background thread also does, periodically). A file that cannot be read or
     * deleted is logged and left for the next sweep.
     *
     * @throws IOException when the directory cannot be listed
     */
    public synchronized RetentionSweep sweep() throws IOException {
        List<LogRetention.StoredLog> stored = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(settings.directory(), "*" + SUFFIX)) {
            for (Path file : files) {
                stored(file).ifPresent(stored::add);
            }
        }
        LogRetention.Decision decision = retention.decide(stored, clock.instant());
        List<String> tooOld = delete(decision.tooOld());
        List<String> overSize = delete(decision.overSize());
        return new RetentionSweep(tooOld, overSize, decision.keptBytes());
    }

    /** Stops flushing and sweeping, and closes the logs still open without marking them finished. Idempotent. */
    @Override
    public void close() {
        List<TaskLog> left;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            left = List.copyOf(open.values());
        }
        background.shutdownNow();
        left.forEach(TaskLog::abandon);
    }

    private synchronized void ended(TaskLog taskLog) {
        open.remove(taskLog.taskGuid(), taskLog);
    }

    private void flushAll() {
        List<TaskLog> logs;
        synchronized (this) {
            logs = List.copyOf(open.values());
        }
        logs.forEach(TaskLog::flush);
    }

    private void sweepLogging() {
        try {
            RetentionSweep sweep = sweep();
            if (!sweep.tooOld().isEmpty() || !sweep.overSize().isEmpty()) {
                log.info("deleted {} task logs older than {} and {} more to stay under {} bytes; {} bytes kept",
                        sweep.tooOld().size(), settings.maxAge(), sweep.overSize().size(), settings.maxTotalBytes(),
                        sweep.keptBytes());
            }
        } catch (IOException | RuntimeException e) {
            log.warn("task log retention sweep failed, retrying in {}: {}", settings.sweepInterval(), e.toString());
        }
    }

    private Optional<LogRetention.StoredLog> stored(Path file) {
        String name = file.getFileName().toString();
        String taskGuid = name.substring(0, name.length() - SUFFIX.length());
        if (!TaskValidation.IDENTIFIER.matcher(taskGuid).matches()) {
            return Optional.empty();
        }
        try {
            long bytes = Files.size(file);
            Instant endedAt = finishedAt(file).orElse(Files.getLastModifiedTime(file).toInstant());
            return Optional.of(new LogRetention.StoredLog(taskGuid, bytes, endedAt, open.containsKey(taskGuid)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            log.warn("cannot read task log {} for retention: {}", file, e.toString());
            return Optional.empty();
        }
    }

    /** The time in the finished marker when it is the file's last record. */
    private static Optional<Instant> finishedAt(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            ByteBuffer tail = ByteBuffer.allocate((int) Math.min(size, TAIL_BYTES));
            channel.read(tail, size - tail.capacity());
            String text = new String(tail.array(), 0, tail.position(), StandardCharsets.UTF_8);
            if (!text.endsWith("\n")) {
                return Optional.empty();
            }
            String last = text.substring(text.lastIndexOf('\n', text.length() - 2) + 1, text.length() - 1);
            return LogFileFormat.parse(last) instanceof LogFileFormat.Entry.Finished finished
                    ? Optional.of(Instant.ofEpochMilli(finished.timestampMs())) : Optional.empty();
        }
    }

    private List<String> delete(List<LogRetention.StoredLog> logs) {
        List<String> deleted = new ArrayList<>();
        for (LogRetention.StoredLog stored : logs) {
            try {
                Files.deleteIfExists(file(stored.taskGuid()));
                deleted.add(stored.taskGuid());
            } catch (IOException e) {
                log.warn("cannot delete the log of task {}: {}", stored.taskGuid(), e.toString());
            }
        }
        return deleted;
    }

    private Path file(String taskGuid) {
        return settings.directory().resolve(taskGuid + SUFFIX);
    }

    private static void checkGuid(String taskGuid) {
        if (taskGuid == null || !TaskValidation.IDENTIFIER.matcher(taskGuid).matches()) {
            throw new IllegalArgumentException("task guid must match " + TaskValidation.IDENTIFIER.pattern()
                    + ", not " + taskGuid);
        }
    }
}
