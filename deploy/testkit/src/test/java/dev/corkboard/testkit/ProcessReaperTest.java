package dev.corkboard.testkit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A JVM that exits without closing its etcd must leave neither the process nor its files. */
class ProcessReaperTest {

    @Test
    void anExitingJvmTakesItsEtcdWithIt() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child =
                new ProcessBuilder(
                                java, "-cp", System.getProperty("java.class.path"), AbandoningMain.class.getName())
                        .redirectErrorStream(true)
                        .start();
        long etcdPid = -1;
        Path dataDir = null;
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (line.startsWith(AbandoningMain.PID_PREFIX)) {
                    etcdPid = Long.parseLong(line.substring(AbandoningMain.PID_PREFIX.length()));
                } else if (line.startsWith(AbandoningMain.DIR_PREFIX)) {
                    dataDir = Path.of(line.substring(AbandoningMain.DIR_PREFIX.length()));
                }
            }
        } finally {
            if (!child.waitFor(30, TimeUnit.SECONDS)) {
                child.destroyForcibly();
            }
        }
        assertEquals(AbandoningMain.EXIT_CODE, child.exitValue());
        assertTrue(etcdPid > 0, "the child JVM did not report an etcd pid");
        assertTrue(dataDir != null, "the child JVM did not report its data dir");
        assertFalse(Files.exists(dataDir.getParent()), "left behind: " + dataDir.getParent());

        long pid = etcdPid;
        await().atMost(Duration.ofSeconds(5))
                .until(() -> ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isEmpty());
    }

    /** Starts a member and exits with it still running, as an aborted test run would. */
    static final class AbandoningMain {
        static final String PID_PREFIX = "etcd-pid=";
        static final String DIR_PREFIX = "etcd-data-dir=";
        static final int EXIT_CODE = 3;

        public static void main(String[] args) {
            EtcdMember member = EtcdMember.standalone().start();
            Optional<Long> pid = member.pid().stream().boxed().findFirst();
            System.out.println(PID_PREFIX + pid.orElse(-1L));
            System.out.println(DIR_PREFIX + member.dataDir());
            System.out.flush();
            System.exit(EXIT_CODE);
        }
    }
}
