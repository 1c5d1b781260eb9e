package dev.corkboard.testkit;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How this machine runs etcd for tests: a local binary, or a container on a Docker engine.
 * {@link EtcdBinary#locate()} decides which.
 */
public sealed interface EtcdRuntime permits EtcdRuntime.Native, EtcdRuntime.Docker {

    /** A local etcd executable, started as a child process of the test JVM. */
    record Native(Path executable) implements EtcdRuntime {
        public Native {
            Objects.requireNonNull(executable, "executable");
        }
    }

    /** An etcd image run through Testcontainers; supports single-member clusters only. */
    record Docker(String image) implements EtcdRuntime {
        public Docker {
            Objects.requireNonNull(image, "image");
        }
    }
}
