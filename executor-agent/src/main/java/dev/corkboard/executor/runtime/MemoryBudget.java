package dev.corkboard.executor.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Memory a runtime may still hand out: a fixed budget minus what its live containers reserved. A deliberately simple
 * admission check: it counts reservations (the specs' limits), not actual use, and forgets containers of an earlier
 * agent run (the agent destroys those before claiming work).
 */
final class MemoryBudget {

    private final long totalMb;
    private final Map<String, Long> reservedMb = new HashMap<>();

    MemoryBudget(long totalMb) {
        this.totalMb = totalMb;
    }

    /** The configured budget, or the host's MemTotal when it is 0. */
    static MemoryBudget of(long configuredMb) {
        return new MemoryBudget(configuredMb > 0 ? configuredMb : hostMemoryMb());
    }

    /**
     * Reserves {@code mb} for {@code handle}.
     *
     * @throws ContainerException.InsufficientResources when less than {@code mb} is left
     */
    synchronized void reserve(String handle, long mb) throws ContainerException.InsufficientResources {
        long available = availableMb();
        if (mb > available) {
            throw new ContainerException.InsufficientResources("task asks " + mb + " MB of memory, this executor has "
                    + available + " MB free of " + totalMb + " MB");
        }
        reservedMb.put(handle, mb);
    }

    synchronized void release(String handle) {
        reservedMb.remove(handle);
    }

    synchronized long availableMb() {
        return totalMb - reservedMb.values().stream().mapToLong(Long::longValue).sum();
    }

    private static long hostMemoryMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // fall through: no budget known, admit everything
        }
        return Long.MAX_VALUE / 2;
    }
}
