package dev.corkboard.executor.runtime;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The fields of {@code /proc/<pid>/stat} the runtimes need.
 *
 * @param pid the process
 * @param state its state letter: R, S, D, Z (zombie: dead, waiting to be reaped, holding nothing), ...
 * @param sessionId its session (the pid of the session leader)
 * @param startTicks when it started, in clock ticks after boot: with the pid, names one process for good
 */
record ProcStat(long pid, char state, long sessionId, long startTicks) {

    /** The process's stat, or empty when it does not exist (any more). */
    static Optional<ProcStat> read(long pid) {
        try {
            return parse(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Parses a stat line; the command name may hold spaces and parentheses, so fields count from the last ')'. */
    static Optional<ProcStat> parse(String stat) {
        int close = stat.lastIndexOf(')');
        int open = stat.indexOf(' ');
        if (close < 0 || open < 0) {
            return Optional.empty();
        }
        String[] rest = stat.substring(close + 2).trim().split(" ");
        // rest[0] is field 3 (state): session is field 6, starttime field 22
        if (rest.length < 20) {
            return Optional.empty();
        }
        try {
            return Optional.of(new ProcStat(Long.parseLong(stat.substring(0, open)), rest[0].charAt(0),
                    Long.parseLong(rest[3]), Long.parseLong(rest[19])));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Every live process (zombies left out) in session {@code sessionId} now. */
    static List<Long> inSession(long sessionId) {
        List<Long> pids = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path entry : entries) {
                read(Long.parseLong(entry.getFileName().toString()))
                        .filter(stat -> stat.sessionId() == sessionId && stat.state() != 'Z')
                        .ifPresent(stat -> pids.add(stat.pid()));
            }
        } catch (IOException e) {
            // /proc unreadable: nothing we can find
        }
        return pids;
    }
}
