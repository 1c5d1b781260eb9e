package dev.corkboard.executor.runtime;

import java.util.concurrent.ScheduledExecutorService;

/**
 * What the runtimes share around their containers: the {@link ContainerAllocations} (container directory and memory
 * budget) that create takes and destroy gives back, and the timer their containers' timeouts and grace periods run
 * on. A runtime adds how it prepares a container in its allocation and how it tears one down.
 */
abstract class AllocatingRuntime implements ContainerRuntime {

    private final String name;
    final ContainerAllocations allocations;
    final ScheduledExecutorService timer;

    AllocatingRuntime(String name, RuntimeSettings settings) {
        this.name = name;
        this.allocations = new ContainerAllocations(settings, this::teardown);
        this.timer = RuntimeTimer.create(name);
    }

    /**
     * Kills and removes what the runtime made for {@code handle} beside its container directory, which still exists.
     * Failures are logged, not thrown: destroy goes on to delete the directory.
     */
    abstract void teardown(String handle);

    @Override
    public final String name() {
        return name;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Runs the runtime's teardown, deletes the container directory and gives back the container's memory. Failures
     * are logged and leave the container listed by {@link #listOwned()}, to be retried.
     */
    @Override
    public final void destroy(String handle) {
        allocations.free(handle);
    }

    /** Stops the runtime's timer; containers keep running and are the agent's to close or destroy. */
    @Override
    public final void close() {
        timer.shutdownNow();
    }
}
