package dev.corkboard.executor.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A daemon thread that reads one output stream of a container to its end and hands every line to the sink. A sink
 * that throws loses that line only (logged once): the pump keeps draining so the process never blocks on a full pipe.
 */
final class LinePump implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(LinePump.class);

    private final InputStream in;
    private final LogSink.Stream stream;
    private final LogSink sink;
    private final String handle;
    private final Thread thread;
    private boolean sinkFailed;

    private LinePump(InputStream in, LogSink.Stream stream, LogSink sink, String handle) {
        this.in = in;
        this.stream = stream;
        this.sink = sink;
        this.handle = handle;
        this.thread = new Thread(this, "corkboard-output-" + stream.name().toLowerCase() + "-" + handle);
        thread.setDaemon(true);
    }

    static LinePump start(InputStream in, LogSink.Stream stream, LogSink sink, String handle) {
        LinePump pump = new LinePump(in, stream, sink, handle);
        pump.thread.start();
        return pump;
    }

    @Override
    public void run() {
        LineSplitter splitter = new LineSplitter(this::deliver);
        byte[] chunk = new byte[8192];
        try (in) {
            int count;
            while ((count = in.read(chunk)) != -1) {
                splitter.accept(chunk, 0, count);
            }
        } catch (IOException e) {
            log.debug("{} of {} ended with {}", stream, handle, e.toString());
        } finally {
            splitter.finish();
        }
    }

    /**
     * Waits until the stream has reached its end and every line was delivered.
     *
     * @return false when it had not after {@code limit} (some process outside the runtime's reach still holds the
     *     pipe open); the pump then goes on in the background
     */
    boolean awaitDrained(Duration limit) throws InterruptedException {
        thread.join(Math.max(1, limit.toMillis()));
        return !thread.isAlive();
    }

    private void deliver(String line) {
        try {
            sink.line(stream, line);
        } catch (RuntimeException e) {
            if (!sinkFailed) {
                sinkFailed = true;
                log.warn("log sink of {} failed on {}, dropping the line: {}", handle, stream, e.toString());
            }
        }
    }
}
