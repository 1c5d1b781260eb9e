package dev.corkboard.bbs.server;

import dev.corkboard.bbs.store.SlowConsumerException;
import dev.corkboard.bbs.store.TaskEventSink;
import dev.corkboard.proto.v1.TaskEvent;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Consumer;

/**
 * One subscriber's seat on the {@link SharedTaskWatch}: a bounded buffer of its own and a thread that hands what is
 * buffered to its sink, so a subscriber that reads slowly holds up nobody else. Events at or below its floor (the
 * revision it asked to watch after) are dropped on arrival.
 *
 * <p>Ends as a store watch does: {@link #close()} by the owner ({@code onClosed(Optional.empty())}); cut off by the
 * shared watch when the buffer is full, or ended with the shared watch's own failure (that cause); or the sink threw
 * (that throwable). The sink hears exactly one {@code onClosed}, on this relay's thread.
 */
final class TaskRelay {

    private record Stop(Optional<Throwable> cause) {}

    private final TaskEventSink sink;
    private final long floor;
    private final int capacity;
    private final BlockingQueue<TaskEvent> queue;
    private final Consumer<TaskRelay> leave;
    private final Duration closeWait;
    private final Thread thread;
    private volatile Stop stop;

    TaskRelay(TaskEventSink sink, long floor, int capacity, Consumer<TaskRelay> leave, Duration closeWait) {
        this.sink = sink;
        this.floor = floor;
        this.capacity = capacity;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.leave = leave;
        this.closeWait = closeWait;
        this.thread = new Thread(this::run, "corkboard-task-relay");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Buffers an event unless it is at or below the floor; false when the buffer is full. Never blocks. */
    boolean offer(TaskEvent event) {
        return event.getRevision() <= floor || queue.offer(event);
    }

    /** Ends the relay because its buffer is full: the sink hears {@link SlowConsumerException}. */
    void cutOff() {
        end(Optional.of(new SlowConsumerException(capacity)));
    }

    /** Ends the relay with {@code cause} once it has handed over the event in hand, if any. */
    void end(Optional<Throwable> cause) {
        synchronized (this) {
            if (stop != null) {
                return;
            }
            stop = new Stop(cause);
        }
        thread.interrupt();
    }

    /** Leaves the shared watch and stops; the sink hears {@code onClosed(Optional.empty())} unless it heard another. */
    void close() {
        leave.accept(this);
        end(Optional.empty());
        if (Thread.currentThread() != thread) {
            try {
                thread.join(closeWait.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        Optional<Throwable> cause = Optional.empty();
        try {
            while (stop == null) {
                TaskEvent event = queue.take();
                if (stop != null) {
                    break;
                }
                sink.onEvent(event);
            }
        } catch (InterruptedException e) {
            // end() interrupts a thread waiting for events
        } catch (Throwable failure) {
            cause = Optional.of(failure);
            leave.accept(this);
            end(cause);
        } finally {
            Stop ended = stop;
            sink.onClosed(ended == null ? cause : ended.cause());
        }
    }
}
