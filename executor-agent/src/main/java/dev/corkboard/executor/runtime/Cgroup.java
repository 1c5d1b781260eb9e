package dev.corkboard.executor.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One task's executor-owned cgroup. Every method tolerates a cgroup that is already gone: there is then nothing to
 * kill, no event to read, nothing to remove.
 */
sealed interface Cgroup permits CgroupV1, CgroupV2 {

    String handle();

    /** The {@code cgroup.procs} files a process writes its pid to in order to join (one per v1 controller). */
    List<Path> procsFiles();

    /** Writes the limits into the (just created) cgroup. */
    void limit(TaskLimits limits) throws IOException;

    /** Processes in the cgroup now. */
    List<Long> pids();

    /** SIGKILL to everything in the cgroup, repeated until it is empty or a few seconds passed. */
    void kill();

    /** How many processes the kernel's OOM killer killed in this cgroup. */
    long oomKills();

    /** How many forks failed at the pids limit. */
    long pidsLimitHits();

    /**
     * Kills what is left and removes the cgroup's directories, retrying while the dying processes leave.
     *
     * @throws IOException when a directory is still busy after a few seconds
     */
    void remove() throws IOException;

    /**
     * Out of memory or the pids limit, as counted by this cgroup, when the process ended unsuccessfully with
     * {@code status}; empty when it succeeded or no limit was hit (or the cgroup is gone and counts nothing).
     */
    default Optional<ExitOutcome> limitOutcome(TaskLimits limits, int status) {
        if (status == 0) {
            return Optional.empty();
        }
        if (oomKills() > 0) {
            return Optional.of(new ExitOutcome.OutOfMemory(limits.memoryMb()));
        }
        if (pidsLimitHits() > 0) {
            return Optional.of(new ExitOutcome.PidsLimit(limits.maxPids(), status));
        }
        return Optional.empty();
    }

    /** Deadline for the bounded loops of kill and remove. */
    long GIVE_UP_NANOS = TimeUnit.SECONDS.toNanos(5);

    static List<Long> readPids(Path procs) {
        List<Long> pids = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(procs)) {
                if (!line.isBlank()) {
                    pids.add(Long.parseLong(line.trim()));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // gone: no processes
        }
        return pids;
    }

    /** Members that still run: a zombie is dead and holds nothing, however long its parent takes to reap it. */
    static List<Long> live(List<Long> pids) {
        return pids.stream().filter(pid -> ProcStat.read(pid).map(stat -> stat.state() != 'Z').orElse(false))
                .toList();
    }

    /** The number after {@code key} in a flat-keyed file such as memory.events or pids.events. */
    static OptionalLong readKey(Path file, String key) {
        try {
            for (String line : Files.readAllLines(file)) {
                String[] fields = line.trim().split("\\s+");
                if (fields.length == 2 && fields[0].equals(key)) {
                    return OptionalLong.of(Long.parseLong(fields[1]));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // gone or unreadable
        }
        return OptionalLong.empty();
    }

    static void write(Path file, String value) throws IOException {
        Files.writeString(file, value, StandardOpenOption.WRITE);
    }

    /** rmdir, retried while the kernel still counts dying members. Missing is fine. */
    static void removeDirectory(Path dir) throws IOException {
        long deadline = System.nanoTime() + GIVE_UP_NANOS;
        while (true) {
            try {
                Files.deleteIfExists(dir);
                return;
            } catch (NoSuchFileException e) {
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("cgroup " + dir + " stays busy: " + e.getMessage(), e);
                }
                pause();
            }
        }
    }

    static void pause() {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
}
