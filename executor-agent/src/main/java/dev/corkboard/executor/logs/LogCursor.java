package dev.corkboard.executor.logs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A reader of one task's log from its first line. {@link #next(int)} returns what the file holds now; a follower calls
 * it again when {@link #whenAppended(Runnable) woken} until {@link #finished()}. A log that is not open in this
 * process (finished, or left unfinished by an earlier agent process) ends at the end of its file: a record torn by a
 * crash at the very end is dropped, and records that do not parse are skipped.
 *
 * <p>Not for concurrent use by several threads beyond {@link #whenAppended(Runnable)}; close it to release the file.
 */
public final class LogCursor implements AutoCloseable {

    private static final int CHUNK_BYTES = 64 * 1024;
    /** A record longer than this is not one the agent wrote: it is skipped rather than held in memory. */
    private static final int MAX_RECORD_BYTES = 8 * 1024 * 1024;
    private static final long FOLLOW_POLL_MS = 100;

    private final FileChannel channel;
    private final Optional<TaskLog> writer;
    private final ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES);
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private final ArrayDeque<TaskLogLine> ready = new ArrayDeque<>();
    private final Runnable listener = this::appended;
    private volatile Runnable onAppend = () -> {};
    private boolean oversized;
    private boolean reachedEnd;

    LogCursor(FileChannel channel, Optional<TaskLog> writer) {
        this.channel = channel;
        this.writer = writer;
        writer.ifPresent(log -> log.addListener(listener));
    }

    /**
     * Up to {@code max} lines, in the order they were written, from where the last call stopped; empty when the reader
     * has caught up with the file (for now, or for good when {@link #finished()}).
     *
     * @throws IOException when the file cannot be read (the cursor is then of no further use)
     */
    public synchronized List<TaskLogLine> next(int max) throws IOException {
        while (ready.size() < max && !reachedEnd && readChunk()) {
            // keeps reading until enough lines are ready or the file has nothing more now
        }
        List<TaskLogLine> lines = new ArrayList<>(Math.min(max, ready.size()));
        while (lines.size() < max && !ready.isEmpty()) {
            lines.add(ready.poll());
        }
        return lines;
    }

    /** True once every line the log will ever have has been returned: the log is no longer open in this process. */
    public synchronized boolean finished() {
        return reachedEnd && ready.isEmpty();
    }

    /**
     * Runs {@code wake} (on the flushing thread, so it must be quick) whenever the writer flushed new lines or closed
     * the log; replaces the previous callback. Never runs for a log not open in this process.
     */
    public void whenAppended(Runnable wake) {
        onAppend = wake;
    }

    /**
     * Blocks: hands every line to {@code each}, then each new line as it is flushed, until the log finishes.
     *
     * @throws InterruptedException when the calling thread is interrupted: the way to stop following
     * @throws IOException when the file cannot be read
     */
    public void follow(Consumer<TaskLogLine> each) throws IOException, InterruptedException {
        Semaphore appendedSignal = new Semaphore(0);
        whenAppended(appendedSignal::release);
        while (true) {
            List<TaskLogLine> lines = next(256);
            lines.forEach(each);
            if (lines.isEmpty()) {
                if (finished()) {
                    return;
                }
                // the poll is a backstop only: a flush or close wakes the follower at once
                appendedSignal.tryAcquire(FOLLOW_POLL_MS, TimeUnit.MILLISECONDS);
                appendedSignal.drainPermits();
            }
            if (Thread.interrupted()) {
                throw new InterruptedException("stopped following");
            }
        }
    }

    @Override
    public void close() {
        writer.ifPresent(log -> log.removeListener(listener));
        try {
            channel.close();
        } catch (IOException e) {
            // nothing was written through this channel, so nothing is lost
        }
    }

    private void appended() {
        onAppend.run();
    }

    /** Reads what the file holds past the last read; false when it held nothing more. */
    private boolean readChunk() throws IOException {
        // whether the writer is done must be read before the file: its last lines are flushed before it says so
        boolean writerDone = writer.map(log -> !log.isOpen()).orElse(true);
        chunk.clear();
        int read = channel.read(chunk);
        if (read <= 0) {
            reachedEnd = writerDone;
            return false;
        }
        chunk.flip();
        byte[] bytes = chunk.array();
        int start = 0;
        for (int i = 0; i < chunk.limit(); i++) {
            if (bytes[i] == '\n') {
                keep(bytes, start, i - start);
                complete();
                start = i + 1;
            }
        }
        keep(bytes, start, chunk.limit() - start);
        return true;
    }

    private void keep(byte[] bytes, int offset, int length) {
        if (oversized || pending.size() + length > MAX_RECORD_BYTES) {
            oversized = true;
            pending.reset();
            return;
        }
        pending.write(bytes, offset, length);
    }

    private void complete() {
        if (!oversized) {
            if (LogFileFormat.parse(pending.toString(StandardCharsets.UTF_8))
                    instanceof LogFileFormat.Entry.Line line) {
                ready.add(line.line());
            }
        }
        oversized = false;
        pending.reset();
    }
}
