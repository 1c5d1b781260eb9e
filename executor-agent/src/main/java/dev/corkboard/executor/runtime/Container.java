package dev.corkboard.executor.runtime;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** One task's container, created by a {@link ContainerRuntime}. */
public interface Container extends AutoCloseable {

    /** The handle recorded in the task by StartTask; names the container on this host. */
    String handle();

    /**
     * Starts the main process. Every line it writes to stdout or stderr reaches {@code sink}. The thread that calls
     * this must live until {@link #await()} returns: sandboxes die with the thread that started them.
     *
     * @throws ContainerException when the process cannot be started
     */
    void start(LogSink sink) throws ContainerException;

    /**
     * Waits until the main process has ended (exited, was killed by a limit, timed out or was stopped) and all its
     * output has reached the sink, and says how it ended.
     */
    ExitOutcome await() throws InterruptedException;

    /**
     * Stops the container: SIGTERM to every process in it, SIGKILL after {@code grace}. {@link #await()} then
     * returns {@link ExitOutcome.Stopped} with {@code reason}. Safe to call at any time, from any thread, repeatedly.
     */
    void stop(Duration grace, String reason);

    /**
     * The host path of a path inside the container (the result file), or empty when the path is outside anything the
     * task could write.
     */
    Optional<Path> hostPath(String containerPath);

    /** Kills what is left and removes the cgroup and task directory; same as the runtime's destroy. Idempotent. */
    @Override
    void close();
}
