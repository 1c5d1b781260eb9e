package dev.corkboard.executor.runtime;

/**
 * A container's limits after defaults.
 *
 * @param memoryMb memory limit in MB
 * @param maxPids most processes and threads at once
 * @param cpuWeight relative CPU share, 100 normal
 */
record TaskLimits(int memoryMb, int maxPids, int cpuWeight) {

    /**
     * The spec's limits, with the settings' defaults where it asks for 0.
     *
     * @throws ContainerException when a limit is negative or the CPU weight is outside 1 to 10000
     */
    static TaskLimits of(ContainerSpec spec, RuntimeSettings settings) throws ContainerException {
        if (spec.memoryMb() < 0 || spec.maxPids() < 0) {
            throw new ContainerException("memory_mb and max_pids must not be negative, got " + spec.memoryMb() + " and "
                    + spec.maxPids());
        }
        if (spec.cpuWeight() < 0 || spec.cpuWeight() > 10_000) {
            throw new ContainerException("cpu_weight must be 1 to 10000 (0: 100), got " + spec.cpuWeight());
        }
        return new TaskLimits(spec.memoryMb() == 0 ? settings.defaultMemoryMb() : spec.memoryMb(),
                spec.maxPids() == 0 ? settings.defaultMaxPids() : spec.maxPids(),
                spec.cpuWeight() == 0 ? 100 : spec.cpuWeight());
    }

    long memoryBytes() {
        return (long) memoryMb * 1024 * 1024;
    }
}
