package dev.corkboard.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProgramsTest {

    @TempDir
    Path tmp;

    @Test
    void membersRunTheClustersOwnCopiesOfTheJars() throws IOException {
        Path checkout = tmp.resolve("checkout");
        Files.createDirectories(checkout);
        Programs built = new Programs("/jdk/bin/java", List.of(), "/usr/bin/etcd",
                Files.writeString(checkout.resolve("a.jar"), "bbs").toString(),
                Files.writeString(checkout.resolve("b.jar"), "executor").toString(),
                Files.writeString(checkout.resolve("c.jar"), "converger").toString());
        Path dir = tmp.resolve("cluster");

        built.copyJarsTo(dir);
        Programs copies = built.inCluster(dir);

        assertEquals(dir.resolve("jars/bbs-server.jar").toString(), copies.bbsJar());
        assertEquals("bbs", Files.readString(Path.of(copies.bbsJar())));
        assertEquals("executor", Files.readString(Path.of(copies.executorJar())));
        assertEquals("converger", Files.readString(Path.of(copies.convergerJar())));
    }

    @Test
    void etcdIsEtcdBinElseTheFirstOnPath() throws IOException {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path etcd = Files.createFile(bin.resolve("etcd"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxr-xr-x")));

        assertEquals(etcd, Programs.etcd(Map.of("PATH", tmp.resolve("none") + ":" + bin)));
        assertEquals(etcd, Programs.etcd(Map.of("ETCD_BIN", etcd.toString(), "PATH", "")));
    }

    @Test
    void anEtcdBinThatIsNotExecutableIsReportedNotReplaced() throws IOException {
        Path notExecutable = Files.writeString(tmp.resolve("etcd"), "");

        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Programs.etcd(Map.of("ETCD_BIN", notExecutable.toString(), "PATH", "/usr/bin")));

        assertEquals("ETCD_BIN=" + notExecutable + " is not an executable file", e.getMessage());
    }

    @Test
    void withoutEtcdTheMessageSaysWhatToInstall() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Programs.etcd(Map.of("PATH", tmp.toString())));

        assertEquals(Programs.ETCD_NOT_FOUND, e.getMessage());
    }
}
