package dev.corkboard.executor.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** The session of a process container, found by its leader's pid; what the pid file records. */
final class ProcessSession {

    private ProcessSession() {}

    /** SIGKILL to every process of the session, repeated while new ones appear, for at most a few seconds. */
    static void kill(long sessionId) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        List<Long> pids;
        while (!(pids = ProcStat.inSession(sessionId)).isEmpty() && System.nanoTime() < deadline) {
            Signals.kill(pids);
            Cgroup.pause();
        }
    }

    /**
     * The session id recorded in a container's pid file if it still names the processes the runtime started: the
     * leader is alive with the recorded start time, or it is gone (its pid cannot be reused while its session has
     * members, so members of that session are leftovers). Empty when the pid now names another process, or the file
     * is missing or unreadable.
     */
    static Optional<Long> fromPidFile(Path pidFile) {
        String[] fields;
        try {
            fields = Files.readString(pidFile).trim().split("\\s+");
        } catch (IOException e) {
            return Optional.empty();
        }
        if (fields.length != 2) {
            return Optional.empty();
        }
        long pid;
        long startTicks;
        try {
            pid = Long.parseLong(fields[0]);
            startTicks = Long.parseLong(fields[1]);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        if (pid <= 1) {
            return Optional.empty();
        }
        Optional<ProcStat> now = ProcStat.read(pid);
        if (now.isPresent() && now.get().startTicks() != startTicks) {
            return Optional.empty();
        }
        return Optional.of(pid);
    }
}
