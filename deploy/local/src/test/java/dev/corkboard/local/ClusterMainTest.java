package dev.corkboard.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line up to the point where processes would start: nothing here starts one. */
class ClusterMainTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return ClusterMain.run(args, dir, Map.of(), new PrintWriter(out), new PrintWriter(err));
    }

    @Test
    void upWithTwoEtcdMembersIsAUsageErrorAndCreatesNothing() {
        Path cluster = dir.resolve("c");

        assertEquals(2, run("up", "--etcd", "2", "--dir", cluster.toString()));

        assertTrue(err.toString().contains("--etcd: expected 1 or 3, got 2"), err.toString());
        assertFalse(Files.exists(cluster));
    }

    @Test
    void anExecutorTtlThatIsNotWholeSecondsIsAUsageErrorAndCreatesNothing() {
        Path cluster = dir.resolve("c");

        assertEquals(2, run("up", "--executor-ttl", "1500ms", "--dir", cluster.toString()));

        assertTrue(err.toString().contains("--executor-ttl: expected whole seconds such as 5s, got '1500ms'"),
                err.toString());
        assertFalse(Files.exists(cluster));
    }

    @Test
    void aCountThatIsNotANumberIsAUsageError() {
        assertEquals(2, run("up", "--bbs", "two"));
    }

    @Test
    void stopWithoutANameIsAUsageError() {
        assertEquals(2, run("stop"));
    }

    @Test
    void statusOfADirectoryWithoutAClusterFailsSayingHowToStartOne() {
        assertEquals(1, run("status", "--dir", dir.toString()));

        assertTrue(err.toString().contains("no cluster in " + dir + ": start one with `deploy/local/cluster up`"),
                err.toString());
    }

    @Test
    void downWithoutAClusterIsDone() {
        assertEquals(0, run("down", "--dir", dir.toString()));
    }

    @Test
    void theDirectoryIsTheEnvironmentsElseTheOneInTheCheckout() {
        Path root = Path.of("/repo");

        assertEquals(Path.of("/repo/deploy/local/.cluster"), ClusterMain.defaultDir(root, Map.of()));
        assertEquals(Path.of("/elsewhere"),
                ClusterMain.defaultDir(root, Map.of(ClusterMain.DIR_VARIABLE, "/elsewhere/")));
    }
}
