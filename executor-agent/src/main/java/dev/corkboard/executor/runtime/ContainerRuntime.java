package dev.corkboard.executor.runtime;

import java.util.List;

/**
 * Runs tasks in containers on this host. Implementations: {@code sandbox} (bubblewrap in user, pid, net, ipc and uts
 * namespaces with an executor-owned cgroup per task), {@code oci} (runc with an OCI bundle per task, same isolation,
 * optionally on the task's root file system) and {@code process} (plain child processes, for development).
 *
 * <p>Every container this runtime creates carries the owner prefix in its handle (and in its cgroup's and task
 * directory's names), so that after a crash the agent can find what it left behind with {@link #listOwned()} and
 * remove it with {@link #destroy(String)}.
 */
public interface ContainerRuntime extends AutoCloseable {

    /** The name tasks ask for in their definition's {@code runtime} field: {@code sandbox}, {@code oci}, … */
    String name();

    /**
     * Prepares a container: its task directory and its cgroup, with the spec's limits. Nothing runs yet.
     *
     * @throws ContainerException.InsufficientResources when the host cannot give what the spec asks (the task should
     *     be rejected so another executor can take it)
     * @throws ContainerException when anything else goes wrong (the task should fail with the message)
     */
    Container create(ContainerSpec spec) throws ContainerException;

    /** Handles of the containers this runtime's owner left on the host (task directories, cgroups, processes). */
    List<String> listOwned();

    /** Kills whatever still runs in the container and removes its cgroup and task directory. Idempotent. */
    void destroy(String handle);

    @Override
    default void close() {}
}
