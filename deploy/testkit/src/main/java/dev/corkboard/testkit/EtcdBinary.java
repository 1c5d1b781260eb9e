package dev.corkboard.testkit;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;

/**
 * Finds the etcd that tests will run: {@code $ETCD_BIN}, else {@code etcd} on {@code PATH}, else a
 * Docker engine that can run {@link #DOCKER_IMAGE}.
 */
public final class EtcdBinary {

    /** The message of the failure raised when this machine has no way to run etcd. */
    public static final String NOT_FOUND_MESSAGE =
            "no etcd binary found: install the Debian package etcd-server (apt-get install etcd-server),"
                    + " or set ETCD_BIN, or run a Docker engine";

    /** The image used by the Docker fallback. */
    public static final String DOCKER_IMAGE = "quay.io/coreos/etcd:v3.5.17";

    /** Environment variable naming the etcd executable explicitly. */
    public static final String ETCD_BIN = "ETCD_BIN";

    private static final Logger log = LoggerFactory.getLogger(EtcdBinary.class);

    // Asking Docker can take seconds when there is no engine, so the real environment is probed once.
    private static volatile EtcdRuntime located;

    private EtcdBinary() {}

    /**
     * The runtime for this JVM's real environment, probed once and then remembered.
     *
     * @throws IllegalStateException at once, with {@link #NOT_FOUND_MESSAGE} in its message, when
     *     there is neither an etcd binary nor a Docker engine, or when {@code ETCD_BIN} is set but
     *     names no executable file
     */
    public static EtcdRuntime locate() {
        EtcdRuntime runtime = located;
        if (runtime == null) {
            synchronized (EtcdBinary.class) {
                runtime = located;
                if (runtime == null) {
                    runtime = locate(System.getenv(), EtcdBinary::dockerEngineAvailable);
                    log.info("etcd for tests: {}", runtime);
                    located = runtime;
                }
            }
        }
        return runtime;
    }

    /**
     * The runtime for the given environment. {@code dockerAvailable} is asked only when no binary is
     * found.
     *
     * @throws IllegalStateException with {@link #NOT_FOUND_MESSAGE} in its message when nothing can
     *     run etcd, or when {@code ETCD_BIN} is set but names no executable file (a wrong explicit
     *     setting is reported rather than silently replaced by whatever is on PATH)
     */
    public static EtcdRuntime locate(Map<String, String> env, BooleanSupplier dockerAvailable) {
        String explicit = env.get(ETCD_BIN);
        if (explicit != null && !explicit.isBlank()) {
            Optional<Path> binary = executable(explicit.strip());
            if (binary.isEmpty()) {
                throw new IllegalStateException(
                        ETCD_BIN + "=" + explicit + " is not an executable file; " + NOT_FOUND_MESSAGE);
            }
            return new EtcdRuntime.Native(binary.get());
        }
        Optional<Path> onPath = findOnPath(env.get("PATH"));
        if (onPath.isPresent()) {
            return new EtcdRuntime.Native(onPath.get());
        }
        if (dockerAvailable.getAsBoolean()) {
            return new EtcdRuntime.Docker(DOCKER_IMAGE);
        }
        throw new IllegalStateException(NOT_FOUND_MESSAGE);
    }

    /**
     * Whether Testcontainers can reach a Docker engine. Never throws: a missing engine, a missing
     * socket or a broken Testcontainers setup all count as "no".
     */
    public static boolean dockerEngineAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (Exception | LinkageError e) {
            log.debug("no usable Docker engine", e);
            return false;
        }
    }

    private static Optional<Path> findOnPath(String path) {
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty()) {
                Optional<Path> candidate = executable(dir + File.separator + "etcd");
                if (candidate.isPresent()) {
                    return candidate;
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<Path> executable(String name) {
        try {
            Path path = Path.of(name).toAbsolutePath();
            return Files.isRegularFile(path) && Files.isExecutable(path)
                    ? Optional.of(path)
                    : Optional.empty();
        } catch (InvalidPathException e) {
            return Optional.empty();
        }
    }
}
