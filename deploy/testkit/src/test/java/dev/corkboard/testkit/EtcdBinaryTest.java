package dev.corkboard.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EtcdBinaryTest {

    private static final BooleanSupplier NO_DOCKER = () -> false;
    private static final BooleanSupplier DOCKER_MUST_NOT_BE_ASKED =
            () -> fail("Docker was probed although an etcd binary exists");

    @TempDir Path dir;

    @Test
    void etcdBinPointingNowhereFailsAtOnceWithTheInstallHint() {
        String missing = dir.resolve("no-such-etcd").toString();
        Map<String, String> env = Map.of("ETCD_BIN", missing, "PATH", dir.toString());

        IllegalStateException failure =
                assertThrows(IllegalStateException.class, () -> EtcdBinary.locate(env, NO_DOCKER));

        assertTrue(failure.getMessage().contains(EtcdBinary.NOT_FOUND_MESSAGE), failure.getMessage());
        assertTrue(failure.getMessage().contains(missing), failure.getMessage());
    }

    @Test
    void nothingOnPathAndNoDockerFailsWithTheInstallHint() {
        Map<String, String> env = Map.of("PATH", dir.toString());

        IllegalStateException failure =
                assertThrows(IllegalStateException.class, () -> EtcdBinary.locate(env, NO_DOCKER));

        assertEquals(
                "no etcd binary found: install the Debian package etcd-server (apt-get install"
                        + " etcd-server), or set ETCD_BIN, or run a Docker engine",
                failure.getMessage());
    }

    @Test
    void noPathAtAllIsTreatedAsNothingFound() {
        assertThrows(IllegalStateException.class, () -> EtcdBinary.locate(Map.of(), NO_DOCKER));
    }

    @Test
    void etcdOnPathIsFoundWithoutAskingDocker() throws IOException {
        Path etcd = fakeEtcd(dir.resolve("bin"), true);
        Map<String, String> env = Map.of("PATH", dir.resolve("empty") + ":" + etcd.getParent());

        assertEquals(
                new EtcdRuntime.Native(etcd), EtcdBinary.locate(env, DOCKER_MUST_NOT_BE_ASKED));
    }

    @Test
    void etcdBinWinsOverPath() throws IOException {
        Path onPath = fakeEtcd(dir.resolve("bin"), true);
        Path explicit = fakeEtcd(dir.resolve("opt"), true);
        Map<String, String> env =
                Map.of("ETCD_BIN", explicit.toString(), "PATH", onPath.getParent().toString());

        assertEquals(
                new EtcdRuntime.Native(explicit), EtcdBinary.locate(env, DOCKER_MUST_NOT_BE_ASKED));
    }

    @Test
    void aNonExecutableFileOnPathIsSkipped() throws IOException {
        fakeEtcd(dir.resolve("bin"), false);
        Map<String, String> env = Map.of("PATH", dir.resolve("bin").toString());

        assertThrows(IllegalStateException.class, () -> EtcdBinary.locate(env, NO_DOCKER));
    }

    @Test
    void dockerIsTheFallbackWhenNoBinaryExists() {
        Map<String, String> env = Map.of("PATH", dir.toString());

        assertEquals(
                new EtcdRuntime.Docker(EtcdBinary.DOCKER_IMAGE), EtcdBinary.locate(env, () -> true));
    }

    @Test
    void aMultiMemberClusterIsRefusedOnDockerBeforeAnythingStarts() {
        assertThrows(
                UnsupportedOperationException.class,
                () -> EtcdCluster.start(new EtcdRuntime.Docker(EtcdBinary.DOCKER_IMAGE), 3, List.of()));
    }

    private static Path fakeEtcd(Path directory, boolean executable) throws IOException {
        Files.createDirectories(directory);
        Path etcd = directory.resolve("etcd");
        Files.writeString(etcd, "#!/bin/sh\nexit 1\n");
        Files.setPosixFilePermissions(
                etcd, PosixFilePermissions.fromString(executable ? "rwxr-xr-x" : "rw-r--r--"));
        return etcd;
    }
}
