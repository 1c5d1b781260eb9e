package dev.corkboard.executor.runtime;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What to run and within which limits.
 *
 * @param taskGuid the task's guid, for logs
 * @param handle the container's handle: the runtime's owner prefix followed by the guid
 * @param path the program, resolved inside the container ({@code PATH} lookup when it has no slash)
 * @param args its arguments
 * @param env its environment, nothing else (HOME, PATH and TMPDIR get defaults when absent)
 * @param dir working directory inside the container; empty: the task directory
 * @param memoryMb memory limit (processes are killed by the kernel above it); 0: the runtime's default
 * @param maxPids most processes and threads at once; 0: the runtime's default
 * @param cpuWeight relative CPU share (1 to 10000, 100 normal); 0: normal
 * @param timeout wall-clock limit of the main process; {@link Duration#ZERO}: none
 * @param network whether the container may reach the network (otherwise it has loopback only)
 * @param rootFs the task definition's {@code root_fs}: a host directory to use as the container's root, or an image
 *     reference; empty: none. Only the {@code oci} runtime uses it; the others give every task the host's {@code /usr}
 */
public record ContainerSpec(String taskGuid, String handle, String path, List<String> args, Map<String, String> env,
        String dir, int memoryMb, int maxPids, int cpuWeight, Duration timeout, boolean network, String rootFs) {

    public ContainerSpec {
        args = List.copyOf(args);
        env = Map.copyOf(env);
        rootFs = rootFs == null ? "" : rootFs;
    }
}
