package dev.corkboard.executor.runtime;

/** Chooses a container runtime by the name in the agent's configuration. */
public final class ContainerRuntimes {

    private ContainerRuntimes() {}

    /**
     * Opens the runtime called {@code name}, once at agent start.
     *
     * @throws IllegalArgumentException when {@code name} is not {@code sandbox}, {@code oci} or {@code process}
     * @throws IllegalStateException when the host lacks what the runtime needs (bubblewrap, runc, a writable cgroup
     *     file system with memory and pids controllers, setsid); the message says what, the cause is the
     *     {@link ContainerException}
     */
    public static ContainerRuntime create(String name, RuntimeSettings settings) {
        try {
            return switch (name) {
                case SandboxRuntime.NAME -> SandboxRuntime.open(settings);
                case ProcessRuntime.NAME -> ProcessRuntime.open(settings);
                case OciRuntime.NAME -> OciRuntime.open(settings);
                default -> throw new IllegalArgumentException("runtime must be '" + SandboxRuntime.NAME + "', '"
                        + OciRuntime.NAME + "' or '" + ProcessRuntime.NAME + "', got '" + name + "'");
            };
        } catch (ContainerException e) {
            throw new IllegalStateException("cannot use the " + name + " runtime: " + e.getMessage(), e);
        }
    }
}
