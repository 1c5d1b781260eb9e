package dev.corkboard.executor.runtime;

import java.util.Collection;

/** SIGTERM and SIGKILL to processes by pid (through {@link ProcessHandle}, no fork). Gone processes are skipped. */
final class Signals {

    private Signals() {}

    static void terminate(Collection<Long> pids) {
        pids.forEach(pid -> send(pid, false));
    }

    static void kill(Collection<Long> pids) {
        pids.forEach(pid -> send(pid, true));
    }

    static void send(long pid, boolean force) {
        if (pid <= 1 || pid == ProcessHandle.current().pid()) {
            return;
        }
        ProcessHandle.of(pid).ifPresent(process -> {
            if (force) {
                process.destroyForcibly();
            } else {
                process.destroy();
            }
        });
    }
}
