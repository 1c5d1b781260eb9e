package dev.corkboard.stager.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import com.google.protobuf.util.JsonFormat;
import dev.corkboard.bbs.server.BbsConfig;
import dev.corkboard.bbs.server.BbsServer;
import dev.corkboard.bbs.state.TaskRequest;
import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskEvent;
import dev.corkboard.proto.v1.TaskState;
import dev.corkboard.testkit.EtcdExtension;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

/** Every cork command against a live BBS on a real etcd, in people's format and in JSON parsed back. */
class CorkCommandsTest {

    @RegisterExtension
    static final EtcdExtension etcd = EtcdExtension.single();

    private static BbsServer bbs;

    @BeforeAll
    static void startBbs() throws Exception {
        bbs = BbsServer.start(BbsConfig.parse(new String[] {"--listen=127.0.0.1:0",
            "--etcd-endpoints=" + String.join(",", etcd.endpoints()), "--etcd-prefix=/cork-test/" + UUID.randomUUID(),
            "--metrics-listen=off"}, Map.of()));
    }

    @AfterAll
    static void stopBbs() {
        bbs.close();
    }

    /** What one cork invocation printed and returned. */
    record Run(int exit, String out, String err) {
        List<String> lines() {
            return out.lines().toList();
        }
    }

    private static Run cork(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine line = Cork.commandLine();
        line.setOut(new PrintWriter(out));
        line.setErr(new PrintWriter(err));
        List<String> all = new ArrayList<>(List.of("--bbs", "127.0.0.1:" + bbs.port()));
        all.addAll(List.of(args));
        int exit = line.execute(all.toArray(String[]::new));
        return new Run(exit, out.toString(), err.toString());
    }

    private static Task parseTask(String json) throws Exception {
        Task.Builder task = Task.newBuilder();
        JsonFormat.parser().merge(json, task);
        return task.build();
    }

    private static void completeAs(String guid, boolean failed) {
        bbs.store().apply(new TaskRequest.Claim(guid, "cell-1")).join();
        bbs.store().apply(new TaskRequest.Start(guid, "cell-1", "c")).join();
        bbs.store().apply(new TaskRequest.Complete(guid, "cell-1", failed, failed ? "exit status 2" : "", "42")).join();
    }

    @Test
    void desirePrintsTheGuidAndTaskShowsItInATableWithItsState() {
        Run desire = cork("desire", "--domain", "cli", "--guid", "c-1", "--", "echo", "hi");

        assertEquals(0, desire.exit(), desire.err());
        assertEquals(List.of("c-1"), desire.lines());
        Run task = cork("task", "c-1");
        assertEquals(0, task.exit(), task.err());
        assertEquals(List.of("GUID", "DOMAIN", "STATE", "EXECUTOR", "AGE", "OUTCOME"),
                List.of(task.lines().get(0).split("\\s+")));
        assertTrue(task.lines().get(1).matches("c-1\\s+cli\\s+PENDING\\s+-\\s+\\d+s\\s+-"), task.out());
    }

    @Test
    void desireWithoutAGuidMakesOneAndJsonOutputParsesBack() throws Exception {
        Run desire = cork("--json", "desire", "--domain", "cli-json", "--memory-mb", "64", "--", "true");

        Task task = parseTask(desire.out());
        assertEquals(TaskState.PENDING, task.getState());
        assertEquals(64, task.getDefinition().getResources().getMemoryMb());
        assertEquals(36, task.getGuid().length(), "a random UUID");
    }

    @Test
    void tasksFiltersByStateAndDomainAndPrintsAJsonArray() throws Exception {
        cork("desire", "--domain", "cli-list", "--guid", "l-1", "--", "true");
        cork("desire", "--domain", "cli-list", "--guid", "l-2", "--", "true");
        completeAs("l-2", false);

        Run pending = cork("tasks", "--domain", "cli-list", "--state", "PENDING");
        assertEquals(2, pending.lines().size(), pending.out());
        assertTrue(pending.lines().get(1).startsWith("l-1 "), pending.out());

        Run json = cork("--json", "tasks", "--domain", "cli-list");
        JsonArray array = JsonParser.parseString(json.out()).getAsJsonArray();
        List<String> guids = new ArrayList<>();
        for (JsonElement element : array) {
            guids.add(parseTask(element.toString()).getGuid());
        }
        assertEquals(List.of("l-1", "l-2"), guids.stream().sorted().toList());

        Run byExecutor = cork("tasks", "--executor", "cell-1", "--domain", "cli-list");
        assertEquals(List.of("l-2"), byExecutor.lines().stream().skip(1).map(line -> line.split("\\s+")[0]).toList(),
                byExecutor.out());
    }

    @Test
    void cancelledTaskWaitsToFailureAndResolveRemovesIt() {
        cork("desire", "--domain", "cli-cancel", "--guid", "x-1", "--", "sleep", "100");

        Run cancel = cork("cancel", "x-1");
        assertEquals(0, cancel.exit(), cancel.err());
        assertTrue(cancel.out().contains("failed: task was cancelled"), cancel.out());

        Run wait = cork("wait", "x-1", "--timeout", "5s");
        assertEquals(1, wait.exit(), "a failed task exits 1");

        Run resolve = cork("resolve", "x-1");
        assertEquals(0, resolve.exit(), resolve.err());
        assertEquals(List.of("resolved x-1 (failed: task was cancelled)"), resolve.lines());
        assertEquals(3, cork("task", "x-1").exit(), "gone");
    }

    @Test
    void waitExitsZeroForASuccessAndTwoOnTimeout() {
        cork("desire", "--domain", "cli-wait", "--guid", "w-1", "--", "true");
        cork("desire", "--domain", "cli-wait", "--guid", "w-2", "--", "true");
        completeAs("w-1", false);

        Run done = cork("wait", "w-1");
        assertEquals(0, done.exit(), done.err());
        assertTrue(done.out().contains("succeeded"), done.out());
        assertTrue(done.out().contains("result:\n42"), done.out());

        Run timeout = cork("wait", "w-2", "--timeout", "300ms");
        assertEquals(2, timeout.exit());
        assertTrue(timeout.err().contains("timed out after PT0.3S waiting for task w-2 (it is PENDING)"),
                timeout.err());
    }

    @Test
    void watchPrintsEventsFromARevisionAsTableOrJsonLines() throws Exception {
        long before = bbs.store().revision().join();
        cork("desire", "--domain", "cli-watch", "--guid", "v-1", "--", "true");
        cork("cancel", "v-1");

        Run table = cork("watch", "--from-revision", Long.toString(before), "--count", "2");
        assertEquals(0, table.exit(), table.err());
        assertTrue(table.lines().get(1).matches("\\d+\\s+created\\s+v-1\\s+PENDING"), table.out());
        assertTrue(table.lines().get(2).matches("\\d+\\s+changed\\s+v-1\\s+PENDING -> COMPLETED"), table.out());

        Run json = cork("--json", "watch", "--from-revision", Long.toString(before), "--count", "2");
        TaskEvent.Builder first = TaskEvent.newBuilder();
        JsonFormat.parser().merge(json.lines().get(0), first);
        assertEquals("v-1", first.getCreated().getTask().getGuid());
        assertTrue(first.getRevision() > before);
    }

    @Test
    void errorsAreOneLineOnStderrWithTheStatus() {
        Run missing = cork("task", "never-desired");
        assertEquals(3, missing.exit());
        assertEquals(1, missing.err().lines().count(), missing.err());
        assertTrue(missing.err().startsWith("cork: NOT_FOUND: "), missing.err());

        Run bad = cork("desire", "--domain", "", "--", "true");
        assertEquals(3, bad.exit());
        assertTrue(bad.err().startsWith("cork: INVALID_ARGUMENT: ") && bad.err().contains("domain"), bad.err());

        Run usage = cork("tasks", "--state", "SLEEPING");
        assertEquals(64, usage.exit());
        assertTrue(usage.err().startsWith("cork: "), usage.err());
    }
}
