package dev.corkboard.executor.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a runtime sets aside on the host for each of its containers: the container directory and the memory its spec
 * asks for from the runtime's {@link MemoryBudget}. Both are taken together when a container is created and given
 * back together when it is destroyed, after the runtime's own teardown (processes, cgroup, runc state) has run.
 *
 * <p>A container that cannot be prepared after its allocation is freed at once, so a failed create leaves nothing
 * listed. A failed teardown or directory deletion is logged and leaves the directory, and so the handle in
 * {@link #list()}, for the next destroy to retry; the memory is given back regardless.
 */
final class ContainerAllocations {

    /** Builds the container in its freshly created directory; whatever it throws frees the allocation again. */
    @FunctionalInterface
    interface Preparation {
        Container prepare(Path containerDir, Path taskDir) throws ContainerException, IOException;
    }

    private static final Logger log = LoggerFactory.getLogger(ContainerAllocations.class);

    private final RuntimeSettings settings;
    private final ContainerDirectories dirs;
    private final MemoryBudget budget;
    private final Consumer<String> teardown;

    /**
     * @param teardown kills and removes what the runtime made for a handle beside its directory; runs before the
     *     directory is deleted, and must log rather than throw
     */
    ContainerAllocations(RuntimeSettings settings, Consumer<String> teardown) {
        this.settings = settings;
        this.dirs = new ContainerDirectories(settings.workDir(), settings.ownerPrefix());
        this.budget = MemoryBudget.of(settings.hostMemoryBudgetMb());
        this.teardown = teardown;
    }

    /**
     * The spec's limits, with the settings' defaults, once its handle is known to be one of ours.
     *
     * @throws ContainerException when the handle is not a safe name starting with the owner prefix, or a limit is out
     *     of range
     */
    TaskLimits admit(ContainerSpec spec) throws ContainerException {
        dirs.checkHandle(spec.handle());
        return TaskLimits.of(spec, settings);
    }

    /** Whether {@code handle} is one of ours and safe as a file name. */
    boolean owns(String handle) {
        return dirs.owns(handle);
    }

    /** The container directory of {@code handle}, whether or not it exists. */
    Path root(String handle) {
        return dirs.root(handle);
    }

    /** Handles with a container directory on disk. */
    List<String> list() {
        return dirs.list();
    }

    /**
     * Reserves the memory of {@code limits}, creates the container directory and prepares the container in it.
     *
     * @throws ContainerException.InsufficientResources when the budget has less memory left than {@code limits}
     * @throws ContainerException when the directory exists or cannot be created, or the preparation fails (an
     *     {@link IOException} or unexpected exception is wrapped with the handle); nothing stays allocated then
     */
    Container allocate(String handle, TaskLimits limits, Preparation preparation) throws ContainerException {
        budget.reserve(handle, limits.memoryMb());
        Path root;
        try {
            root = dirs.create(handle);
        } catch (ContainerException e) {
            budget.release(handle);
            throw e;
        }
        try {
            return preparation.prepare(root, dirs.task(handle));
        } catch (ContainerException | IOException | RuntimeException e) {
            free(handle);
            throw e instanceof ContainerException ce ? ce
                    : new ContainerException("cannot prepare container " + handle + ": " + e, e);
        }
    }

    /**
     * Runs the runtime's teardown, deletes the container directory and gives back the reserved memory. A handle
     * without the owner prefix is left alone with a warning: it may be another executor's.
     */
    void free(String handle) {
        if (!dirs.owns(handle)) {
            log.warn("not destroying '{}': not a handle of this runtime's owner", handle);
            return;
        }
        teardown.accept(handle);
        try {
            dirs.delete(handle);
        } catch (UncheckedIOException e) {
            log.warn("cannot delete directory of {}: {}", handle, e.getMessage());
        }
        budget.release(handle);
    }
}
