package dev.corkboard.executor.runtime;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life of one container's main process, common to every runtime: start with output pumps, the timeout, stop with
 * a grace period, settling the outcome once, close. Subclasses say how to launch, signal and kill everything that
 * belongs to the container, and whether a limit ended it.
 *
 * <p>Precedence of outcomes: a stop asked for before the process ended wins ({@link ExitOutcome.Stopped}), then the
 * timeout ({@link ExitOutcome.TimedOut}), then what the subclass read from its limits, then the exit status.
 */
abstract class SupervisedContainer implements Container {

    private static final Logger log = LoggerFactory.getLogger(SupervisedContainer.class);

    /** How long await() waits for output after the process tree is gone; a pipe held longer is abandoned. */
    static final Duration DRAIN_LIMIT = Duration.ofSeconds(5);
    /** How long close() waits for a killed process to be reaped before removing its directories anyway. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

    protected final ContainerSpec spec;
    private final ContainerPaths paths;
    private final ScheduledExecutorService timer;
    private final Runnable release;

    private final Object lock = new Object();
    private final Object settleLock = new Object();
    private boolean started;
    private boolean closed;
    private Process process;
    private String stopReason;
    private boolean timedOut;
    private LinePump stdout;
    private LinePump stderr;
    private ScheduledFuture<?> deadline;
    private volatile ExitOutcome outcome;

    SupervisedContainer(ContainerSpec spec, ContainerPaths paths, ScheduledExecutorService timer, Runnable release) {
        this.spec = spec;
        this.paths = paths;
        this.timer = timer;
        this.release = release;
    }

    /** Starts the main process; it must be in the container (cgroup, session) before it runs anything of the task. */
    protected abstract Process launch() throws IOException, ContainerException;

    /** SIGTERM to the container's processes (those of the task, not the runtime's own supervisor). */
    protected abstract void terminateAll(Process main);

    /** SIGKILL to everything in the container, returning once it is empty or after a bounded effort. */
    protected abstract void killAll();

    /** The limit that ended the process, read from the kernel's accounting; empty when it just exited. */
    protected abstract Optional<ExitOutcome> limitOutcome(int status);

    @Override
    public String handle() {
        return spec.handle();
    }

    /**
     * {@inheritDoc}
     *
     * <p>After {@link #stop} or {@link #close()} nothing is launched and {@link #await()} returns
     * {@link ExitOutcome.Stopped}.
     *
     * @throws ContainerException when the container was closed, or the process cannot be launched
     * @throws IllegalStateException when called twice
     */
    @Override
    public final void start(LogSink sink) throws ContainerException {
        synchronized (lock) {
            if (closed) {
                throw new ContainerException("container " + handle() + " is closed");
            }
            if (started) {
                throw new IllegalStateException("container " + handle() + " was already started");
            }
            started = true;
            if (stopReason != null) {
                return;
            }
            try {
                process = launch();
            } catch (IOException e) {
                throw new ContainerException("cannot start " + spec.path() + " in " + handle() + ": " + e.getMessage(),
                        e);
            }
            stdout = LinePump.start(process.getInputStream(), LogSink.Stream.STDOUT, sink, handle());
            stderr = LinePump.start(process.getErrorStream(), LogSink.Stream.STDERR, sink, handle());
            if (!spec.timeout().isZero() && !spec.timeout().isNegative()) {
                deadline = timer.schedule(this::timeUp, spec.timeout().toNanos(), TimeUnit.NANOSECONDS);
            }
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Once the main process has exited, whatever it left in the container is killed (a sandbox's pid namespace does
     * that anyway) so that the output pipes close. Output still held open after {@link #DRAIN_LIMIT} by a process that
     * escaped the container is abandoned. Every caller gets the same outcome.
     *
     * @throws IllegalStateException when the container was never started, or its start failed
     */
    @Override
    public final ExitOutcome await() throws InterruptedException {
        Process main;
        synchronized (lock) {
            if (!started || (process == null && stopReason == null)) {
                throw new IllegalStateException("container " + handle() + " has no process to wait for");
            }
            main = process;
            if (main == null) {
                return new ExitOutcome.Stopped(stopReason);
            }
        }
        int status = main.waitFor();
        synchronized (settleLock) {
            if (outcome == null) {
                killAll();
                if (!stdout.awaitDrained(DRAIN_LIMIT) | !stderr.awaitDrained(DRAIN_LIMIT)) {
                    log.warn("output of {} still open {} after its process ended; not waiting for it", handle(),
                            DRAIN_LIMIT);
                }
                outcome = settle(status);
            }
            return outcome;
        }
    }

    private ExitOutcome settle(int status) {
        synchronized (lock) {
            if (deadline != null) {
                deadline.cancel(false);
            }
            if (stopReason != null) {
                return new ExitOutcome.Stopped(stopReason);
            }
            if (timedOut) {
                return new ExitOutcome.TimedOut(spec.timeout());
            }
        }
        return limitOutcome(status).orElseGet(() -> new ExitOutcome.Exited(status));
    }

    @Override
    public final void stop(Duration grace, String reason) {
        Process main;
        synchronized (lock) {
            if (process != null && !process.isAlive()) {
                return;
            }
            if (stopReason == null && !timedOut) {
                stopReason = reason;
            }
            main = process;
        }
        if (main == null) {
            return;
        }
        log.info("stopping {} ({}), SIGKILL in {}", handle(), reason, grace);
        if (grace.isZero() || grace.isNegative()) {
            killAll();
            return;
        }
        terminateAll(main);
        timer.schedule(this::killAll, grace.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void timeUp() {
        synchronized (lock) {
            if (!process.isAlive() || stopReason != null) {
                return;
            }
            timedOut = true;
        }
        log.info("{} ran past its timeout of {}, killing it", handle(), spec.timeout());
        killAll();
    }

    @Override
    public Optional<Path> hostPath(String containerPath) {
        return paths.hostPath(containerPath);
    }

    /**
     * {@inheritDoc}
     *
     * <p>A process still running is killed (a concurrent {@link #await()} returns {@code Stopped("container
     * closed")}); failures to remove the cgroup or directory are logged, and {@link ContainerRuntime#listOwned()}
     * will show the container again.
     */
    @Override
    public final void close() {
        Process main;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            started = true;
            main = process;
            if (stopReason == null && !timedOut && (main == null || main.isAlive())) {
                stopReason = "container closed";
            }
        }
        if (main != null && main.isAlive()) {
            killAll();
            try {
                if (!main.waitFor(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                    log.warn("{} did not end within {} of SIGKILL; removing it anyway", handle(), CLOSE_WAIT);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            release.run();
        } catch (RuntimeException e) {
            log.warn("cannot remove container {}: {}", handle(), e.toString());
        }
    }
}
