package dev.corkboard.stager.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import com.google.protobuf.util.JsonFormat;
import dev.corkboard.bbs.server.BbsConfig;
import dev.corkboard.bbs.server.BbsServer;
import dev.corkboard.bbs.state.TaskRequest;
import dev.corkboard.proto.v1.Capacity;
import dev.corkboard.proto.v1.ExecutorPresence;
import dev.corkboard.proto.v1.ExecutorServiceGrpc;
import dev.corkboard.proto.v1.ExecutorStatus;
import dev.corkboard.proto.v1.HeartbeatRequest;
import dev.corkboard.proto.v1.LogLine;
import dev.corkboard.proto.v1.LogServiceGrpc;
import dev.corkboard.proto.v1.LogStream;
import dev.corkboard.proto.v1.ReadLogsRequest;
import dev.corkboard.testkit.EtcdExtension;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code cork executors} and {@code cork logs} against a live BBS on a real etcd, with executors registered through
 * ExecutorService.Heartbeat and their logs served by a scripted LogService on a loopback port (the real one lives in
 * the executor agent, which this module cannot depend on).
 */
class ExecutorCommandsTest {

    @RegisterExtension
    static final EtcdExtension etcd = EtcdExtension.single();

    private static final Instant T0 = Instant.parse("2026-12-02T20:15:01.123Z");

    private static BbsServer bbs;
    private static ManagedChannel bbsChannel;
    private static final ScriptedLogs logs = new ScriptedLogs();
    private static Server logServer;

    @BeforeAll
    static void start() throws Exception {
        bbs = BbsServer.start(BbsConfig.parse(new String[] {"--listen=127.0.0.1:0",
            "--etcd-endpoints=" + String.join(",", etcd.endpoints()),
            "--etcd-prefix=/cork-executors-test/" + UUID.randomUUID(), "--metrics-listen=off"}, Map.of()));
        bbsChannel = NettyChannelBuilder.forAddress("127.0.0.1", bbs.port()).usePlaintext().build();
        logServer = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(logs).build()
                .start();
    }

    @AfterAll
    static void stop() throws Exception {
        logServer.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        bbsChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        bbs.close();
    }

    /** A LogService with lines set by the test; a followed log ends when the test says so. */
    static final class ScriptedLogs extends LogServiceGrpc.LogServiceImplBase {
        final Map<String, List<LogLine>> written = new ConcurrentHashMap<>();
        final Map<String, BlockingQueue<LogLine>> later = new ConcurrentHashMap<>();
        static final LogLine END = LogLine.getDefaultInstance();

        @Override
        public void readLogs(ReadLogsRequest request, StreamObserver<LogLine> caller) {
            List<LogLine> lines = written.get(request.getTaskGuid());
            if (lines == null) {
                caller.onError(Status.NOT_FOUND.withDescription("this executor holds no log of task "
                        + request.getTaskGuid()).asRuntimeException());
                return;
            }
            lines.forEach(caller::onNext);
            BlockingQueue<LogLine> more = later.get(request.getTaskGuid());
            try {
                while (request.getFollow() && more != null) {
                    LogLine line = more.take();
                    if (line == END) {
                        break;
                    }
                    caller.onNext(line);
                }
                caller.onCompleted();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                caller.onError(Status.CANCELLED.asRuntimeException());
            }
        }
    }

    record Run(int exit, String out, String err) {
        List<String> lines() {
            return out.lines().toList();
        }
    }

    private static Run cork(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        return cork(out, err, args);
    }

    private static Run cork(StringWriter out, StringWriter err, String... args) {
        var line = Cork.commandLine();
        line.setOut(new PrintWriter(out));
        line.setErr(new PrintWriter(err));
        List<String> all = new ArrayList<>(List.of("--bbs", "127.0.0.1:" + bbs.port()));
        all.addAll(List.of(args));
        int exit = line.execute(all.toArray(String[]::new));
        return new Run(exit, out.toString(), err.toString());
    }

    private static void register(String executorId, String address, String zone, List<String> tags) {
        ExecutorServiceGrpc.newBlockingStub(bbsChannel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .heartbeat(HeartbeatRequest.newBuilder().setPresence(ExecutorPresence.newBuilder()
                        .setExecutorId(executorId).setAddress(address).setZone(zone)
                        .setCapacity(Capacity.newBuilder().setMemoryMb(4096).setDiskMb(20000).setContainers(8))
                        .addAllPlacementTags(tags).addRuntimes("process").addRuntimes("sandbox")
                        .setRegisteredAtMs(T0.toEpochMilli())).build());
    }

    private static String logAddress() {
        return "127.0.0.1:" + logServer.getPort();
    }

    /** Desires a task and claims it as the executor: the BBS then names that executor as the task's. */
    private static void claimedBy(String guid, String executorId) {
        Run desire = cork("desire", "--domain", "cork-executors", "--guid", guid, "--memory-mb", "512", "--", "true");
        assertEquals(0, desire.exit(), desire.err());
        bbs.store().apply(new TaskRequest.Claim(guid, executorId)).join();
    }

    private static LogLine line(String guid, long offsetMs, LogStream stream, String text) {
        return LogLine.newBuilder().setTaskGuid(guid).setTimestampMs(T0.toEpochMilli() + offsetMs).setStream(stream)
                .setText(text).build();
    }

    @Test
    void executorsPrintsEachPresentExecutorWithWhatItsTasksUseOfItsCapacity() {
        register("cell-table", "10.0.0.7:7070", "zone-a", List.of("gpu", "ssd"));
        claimedBy("e-1", "cell-table");

        Run run = cork("executors");

        assertEquals(0, run.exit(), run.err());
        assertEquals(ExecutorsCommand.COLUMNS, List.of(run.lines().get(0).split("\\s+")));
        String row = run.lines().stream().filter(l -> l.startsWith("cell-table ")).findFirst().orElseThrow();
        assertTrue(row.matches("cell-table\\s+10\\.0\\.0\\.7:7070\\s+zone-a\\s+512/4096\\s+\\d+/20000\\s+1/8\\s+1"
                + "\\s+gpu,ssd\\s+process,sandbox"), run.out());
    }

    @Test
    void executorsWithJsonPrintsAnArrayOfExecutorStatuses() throws Exception {
        register("cell-json", "10.0.0.8:7070", "", List.of());

        Run run = cork("--json", "executors");

        assertEquals(0, run.exit(), run.err());
        List<ExecutorStatus> statuses = new ArrayList<>();
        for (JsonElement element : JsonParser.parseString(run.out()).getAsJsonArray()) {
            ExecutorStatus.Builder status = ExecutorStatus.newBuilder();
            JsonFormat.parser().merge(element.toString(), status);
            statuses.add(status.build());
        }
        ExecutorStatus json = statuses.stream().filter(s -> s.getPresence().getExecutorId().equals("cell-json"))
                .findFirst().orElseThrow();
        assertEquals("10.0.0.8:7070", json.getPresence().getAddress());
        assertEquals(4096, json.getFree().getMemoryMb());
    }

    @Test
    void logsPrintsEachLineWithItsTimeStreamAndTextFromTheTasksExecutor() {
        register("cell-logs", logAddress(), "", List.of());
        claimedBy("g-1", "cell-logs");
        logs.written.put("g-1", List.of(line("g-1", 0, LogStream.EXECUTOR, "container created"),
                line("g-1", 5, LogStream.STDOUT, "hello\tworld"), line("g-1", 1000, LogStream.STDERR, "oops")));

        Run run = cork("logs", "g-1");

        assertEquals(0, run.exit(), run.err());
        assertEquals(List.of("2026-12-02T20:15:01.123Z executor container created",
                "2026-12-02T20:15:01.128Z stdout hello\tworld",
                "2026-12-02T20:15:02.123Z stderr oops"), run.lines());
    }

    @Test
    void logsWithJsonPrintsOneLogLinePerLine() throws Exception {
        register("cell-logs-json", logAddress(), "", List.of());
        claimedBy("g-json", "cell-logs-json");
        logs.written.put("g-json", List.of(line("g-json", 0, LogStream.STDOUT, "a"),
                line("g-json", 1, LogStream.STDOUT, "b")));

        Run run = cork("--json", "logs", "g-json");

        assertEquals(0, run.exit(), run.err());
        List<LogLine> parsed = new ArrayList<>();
        for (String json : run.lines()) {
            LogLine.Builder line = LogLine.newBuilder();
            JsonFormat.parser().merge(json, line);
            parsed.add(line.build());
        }
        assertEquals(logs.written.get("g-json"), parsed);
    }

    @Test
    void logsFollowPrintsNewLinesUntilTheExecutorEndsTheStream() throws Exception {
        register("cell-follow", logAddress(), "", List.of());
        claimedBy("g-follow", "cell-follow");
        BlockingQueue<LogLine> later = new LinkedBlockingQueue<>();
        logs.later.put("g-follow", later);
        logs.written.put("g-follow", List.of(line("g-follow", 0, LogStream.STDOUT, "first")));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();

        CompletableFuture<Run> run = CompletableFuture.supplyAsync(() -> cork(out, err, "logs", "-f", "g-follow"));
        await().atMost(Duration.ofSeconds(10)).until(() -> out.toString().contains("stdout first"));
        later.add(line("g-follow", 10, LogStream.STDOUT, "second"));
        await().atMost(Duration.ofSeconds(5)).until(() -> out.toString().contains("stdout second"));
        later.add(ScriptedLogs.END);

        Run done = run.get(10, TimeUnit.SECONDS);
        assertEquals(0, done.exit(), done.err());
        assertEquals(2, done.lines().size(), done.out());
    }

    @Test
    void logsOfAPendingTaskSayItHasNoExecutorYet() {
        Run desire = cork("desire", "--domain", "cork-executors", "--guid", "g-pending", "--", "true");
        assertEquals(0, desire.exit(), desire.err());

        Run run = cork("logs", "g-pending");

        assertEquals(Cork.BBS_ERROR, run.exit());
        assertEquals("cork: task g-pending is PENDING without an executor: it has no logs yet", run.err().strip());
    }

    @Test
    void logsOfATaskWhoseExecutorIsGoneNameTheExecutor() {
        claimedBy("g-gone", "cell-gone");

        Run run = cork("logs", "g-gone");

        assertEquals(Cork.BBS_ERROR, run.exit());
        assertTrue(run.err().startsWith("cork: executor cell-gone of task g-gone is not present"), run.err());
    }

    @Test
    void logsTheExecutorDoesNotHoldAreNotFoundThere() {
        register("cell-empty", logAddress(), "", List.of());
        claimedBy("g-nolog", "cell-empty");

        Run run = cork("logs", "g-nolog");

        assertEquals(Cork.BBS_ERROR, run.exit());
        assertEquals("cork: NOT_FOUND: this executor holds no log of task g-nolog (executor cell-empty at "
                + logAddress() + ")", run.err().strip());
    }

    @Test
    void logsOfAnUnknownTaskAreTheBbsNotFound() {
        Run run = cork("logs", "never-desired");

        assertEquals(Cork.BBS_ERROR, run.exit());
        assertTrue(run.err().startsWith("cork: NOT_FOUND: "), run.err());
    }

    @Test
    void anExecutorThatDoesNotAnswerIsNamedWithItsAddress() {
        register("cell-silent", "127.0.0.1:1", "", List.of());
        claimedBy("g-silent", "cell-silent");

        Run run = cork("logs", "g-silent");

        assertEquals(Cork.BBS_ERROR, run.exit());
        assertTrue(run.err().startsWith("cork: UNAVAILABLE: ") && run.err().contains("(executor cell-silent at "
                + "127.0.0.1:1)"), run.err());
    }
}
