package dev.corkboard.testkit;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The thing that actually runs one member's etcd: a child process or a container. One instance
 * lives as long as its {@link EtcdMember} and is launched again on every start. Methods other than
 * {@link #launch} are safe to call from any thread.
 */
sealed interface MemberProcess permits NativeMemberProcess, ContainerMemberProcess {

    static MemberProcess forRuntime(EtcdRuntime runtime) {
        if (runtime instanceof EtcdRuntime.Native local) {
            return new NativeMemberProcess(local.executable());
        }
        return new ContainerMemberProcess(((EtcdRuntime.Docker) runtime).image());
    }

    /** Starts etcd without waiting for it to serve; output is appended to {@code logFile}. */
    void launch(MemberSpec spec, Path dataDir, Path logFile) throws IOException;

    boolean isAlive();

    /** SIGTERM, then SIGKILL if etcd has not exited within {@code grace}; returns once it exited. */
    void terminate(Duration grace) throws InterruptedException;

    /** SIGKILL and wait for the exit. */
    void destroy() throws InterruptedException;

    /** SIGKILL without waiting; used to cut short a start that another thread is waiting on. */
    void abort();

    /** Releases whatever outlives a single run (a container); the member is never launched again. */
    void dispose();

    /** The OS process, when etcd runs as a child of this JVM. */
    Optional<ProcessHandle> handle();
}
