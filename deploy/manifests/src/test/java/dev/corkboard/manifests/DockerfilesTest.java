package dev.corkboard.manifests;

import static dev.corkboard.manifests.SystemdUnitsTest.assertContains;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DockerfilesTest {

    @Test
    void everyComponentHasAnImageRunningItsModulesShadedJarWithSettingsItAccepts() {
        Dockerfiles dockerfiles = new Dockerfiles(Checkout.root());

        assertEquals(3, dockerfiles.files().size());
        assertEquals(List.of(), dockerfiles.problems());
    }

    @Test
    void aJarTheBuildDoesNotProduceIsReported(@TempDir Path copy) {
        Checkout.copyTo(copy);
        Checkout.edit(copy, Dockerfiles.DIR + "/converger/Dockerfile", "converger/target/corkboard-converger-*-all.jar",
                "converger/target/corkboard-converger-*.jar");

        assertContains(new Dockerfiles(copy).problems(), "deploy/docker/converger/Dockerfile: expected one COPY of"
                + " converger/target/corkboard-converger-*-all.jar, got [converger/target/corkboard-converger-*.jar"
                + " /opt/corkboard/corkboard-converger.jar]");
    }

    @Test
    void aServerImageRunningAsRootIsReported(@TempDir Path copy) {
        Checkout.copyTo(copy);
        Checkout.edit(copy, Dockerfiles.DIR + "/bbs-server/Dockerfile", "USER 10001:10001\n", "");

        assertContains(new Dockerfiles(copy).problems(),
                "deploy/docker/bbs-server/Dockerfile: runs as root, expected an unprivileged user");
    }
}
