package dev.corkboard.stager.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import dev.corkboard.bbs.server.BbsConfig;
import dev.corkboard.bbs.server.BbsServer;
import dev.corkboard.converger.ConvergerConfig;
import dev.corkboard.converger.ConvergerDaemon;
import dev.corkboard.proto.v1.GetConvergerStatusResponse;
import dev.corkboard.testkit.EtcdExtension;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code cork converger} against a live BBS with a real converger beside it, each test under a prefix of its own (a
 * converger repairs tasks, so it must not share CorkCommandsTest's tasks).
 */
class ConvergerCommandTest {

    @RegisterExtension
    static final EtcdExtension etcd = EtcdExtension.single();

    private String prefix;
    private BbsServer bbs;

    @BeforeEach
    void startBbs() throws Exception {
        prefix = "/cork-converger-test/" + UUID.randomUUID();
        bbs = BbsServer.start(BbsConfig.parse(new String[] {"--listen=127.0.0.1:0",
            "--etcd-endpoints=" + String.join(",", etcd.endpoints()), "--etcd-prefix=" + prefix,
            "--metrics-listen=off"}, Map.of()));
    }

    @AfterEach
    void stopBbs() {
        bbs.close();
    }

    record Run(int exit, String out, String err) {
        List<String> lines() {
            return out.lines().toList();
        }
    }

    private Run cork(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var line = Cork.commandLine();
        line.setOut(new PrintWriter(out));
        line.setErr(new PrintWriter(err));
        List<String> all = new ArrayList<>(List.of("--bbs", "127.0.0.1:" + bbs.port()));
        all.addAll(List.of(args));
        int exit = line.execute(all.toArray(String[]::new));
        return new Run(exit, out.toString(), err.toString());
    }

    private ConvergerDaemon converger(String id) throws Exception {
        return ConvergerDaemon.start(ConvergerConfig.parse(new String[] {"--converger-id", id, "--etcd-endpoints",
            String.join(",", etcd.endpoints()), "--etcd-prefix", prefix, "--metrics-listen", "off",
            "--interval", "300ms"}, Map.of()));
    }

    @Test
    void beforeAnyConvergerItSaysNoneHasLedYet() {
        Run run = cork("converger");

        assertEquals(0, run.exit(), run.err());
        assertEquals(List.of(ConvergerCommand.NEVER_LED), run.lines());
    }

    @Test
    void itPrintsTheLeaderItsLastPassAndAnAlignedTableOfTasksPerState() throws Exception {
        cork("desire", "--domain", "conv", "--guid", "p-1", "--", "true");
        cork("desire", "--domain", "conv", "--guid", "p-2", "--", "true");
        try (ConvergerDaemon daemon = converger("cork-conv-1")) {
            await().atMost(Duration.ofSeconds(30)).until(() -> daemon.converger().lastStatus().isPresent());

            Run run = cork("converger");

            assertEquals(0, run.exit(), run.err());
            List<String> lines = run.lines();
            assertEquals("leader      cork-conv-1", lines.get(0), run.out());
            assertTrue(lines.get(1).matches("elected at  \\d{4}-\\d\\d-\\d\\dT\\S+Z"), run.out());
            assertTrue(lines.get(2).matches("last pass   \\S+Z, took \\d+ms, at revision \\d+"), run.out());
            assertEquals("repairs     kicked 0, demoted 0, failed 0, expired 0, pruned 0 (lost 0, errors 0)",
                    lines.get(3), run.out());
            assertEquals("executors   0", lines.get(4), run.out());
            assertEquals("", lines.get(5));
            assertEquals(List.of("STATE      TASKS", "PENDING    2", "CLAIMED    0", "RUNNING    0",
                    "COMPLETED  0", "RESOLVING  0"), lines.subList(6, lines.size()), run.out());
        }
    }

    @Test
    void jsonIsTheResponseInProtobufsCanonicalMapping() throws Exception {
        try (ConvergerDaemon daemon = converger("cork-conv-json")) {
            await().atMost(Duration.ofSeconds(30)).until(() -> daemon.converger().lastStatus().isPresent());

            Run run = cork("--json", "converger");

            assertEquals(0, run.exit(), run.err());
            GetConvergerStatusResponse.Builder parsed = GetConvergerStatusResponse.newBuilder();
            JsonFormat.parser().merge(run.out(), parsed);
            assertEquals("cork-conv-json", parsed.getCurrentLeaderId());
            assertEquals("cork-conv-json", parsed.getStatus().getLeaderId());
            assertTrue(run.out().contains("\"currentLeaderId\": \"cork-conv-json\""), run.out());
        }
    }

    @Test
    void afterTheLeaderLeftItSaysNoneLeadsNowAndNamesTheLastLeader() throws Exception {
        try (ConvergerDaemon daemon = converger("cork-conv-gone")) {
            await().atMost(Duration.ofSeconds(30)).until(() -> daemon.converger().lastStatus().isPresent());
        }

        Run run = cork("converger");

        assertEquals("leader      none now (last: cork-conv-gone)", run.lines().get(0), run.out());
    }
}
