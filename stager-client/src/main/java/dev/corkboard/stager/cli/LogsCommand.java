package dev.corkboard.stager.cli;

import dev.corkboard.proto.v1.ExecutorPresence;
import dev.corkboard.proto.v1.ExecutorStatus;
import dev.corkboard.proto.v1.LogLine;
import dev.corkboard.proto.v1.LogServiceGrpc;
import dev.corkboard.proto.v1.ReadLogsRequest;
import dev.corkboard.proto.v1.Task;
import dev.corkboard.stager.BbsChannel;
import dev.corkboard.stager.BbsEndpoints;
import dev.corkboard.stager.StagerClient;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Iterator;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code cork logs}: a task's log lines, read from the executor that ran it. The BBS names the task's executor and the
 * roster its address; the lines come from that executor's LogService, over the same TLS as the BBS when the --tls-*
 * options are given. Every failure to get there (no executor yet, executor gone, executor unreachable or without the
 * log) is one line on stderr and exit code {@value Cork#BBS_ERROR}.
 */
@Command(name = "logs", description = {"Print a task's log lines from the executor that runs or ran it.",
    "Each line: time (UTC), stream (stdout, stderr, executor) and text; with --json one LogLine object per line."})
final class LogsCommand extends BbsCommand {

    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    @Parameters(paramLabel = "GUID")
    String guid;

    @Option(names = {"-f", "--follow"},
            description = "Go on printing new lines until the task's log ends (the task finished) or Ctrl-C.")
    boolean follow;

    @Override
    int run(StagerClient client, Output output) {
        Task task = client.get(guid);
        if (task.getExecutorId().isEmpty()) {
            return refused("task " + guid + " is " + task.getState() + " without an executor: it has no logs yet");
        }
        String executorId = task.getExecutorId();
        Optional<ExecutorPresence> presence = ExecutorsCommand.list(client, cork).stream()
                .map(ExecutorStatus::getPresence).filter(p -> p.getExecutorId().equals(executorId)).findFirst();
        if (presence.isEmpty()) {
            return refused("executor " + executorId + " of task " + guid + " is not present (it stopped or lost its"
                    + " lease); its logs stay on its host");
        }
        String address = presence.get().getAddress();
        BbsEndpoints endpoint;
        try {
            endpoint = BbsEndpoints.parse(address);
        } catch (IllegalArgumentException e) {
            return refused("executor " + executorId + " advertises an unusable address '" + address + "': "
                    + e.getMessage());
        }
        ManagedChannel channel = BbsChannel.open(endpoint, cork.tls());
        try {
            print(channel, output);
            return 0;
        } catch (StatusRuntimeException e) {
            return refused(e.getStatus().getCode() + ": "
                    + Optional.ofNullable(e.getStatus().getDescription()).orElse("(no description)")
                    + " (executor " + executorId + " at " + address + ")");
        } finally {
            channel.shutdownNow();
        }
    }

    private void print(ManagedChannel channel, Output output) {
        LogServiceGrpc.LogServiceBlockingStub stub = LogServiceGrpc.newBlockingStub(channel);
        if (!follow) {
            // a whole log arrives within the call timeout; a follower waits for lines as long as the task runs
            stub = stub.withDeadlineAfter(cork.callTimeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        Iterator<LogLine> lines = stub.readLogs(ReadLogsRequest.newBuilder().setTaskGuid(guid).setFollow(follow)
                .build());
        while (lines.hasNext()) {
            LogLine line = lines.next();
            if (cork.json) {
                output.jsonLine(line);
            } else {
                output.line(TIME.format(Instant.ofEpochMilli(line.getTimestampMs())) + " "
                        + line.getStream().name().toLowerCase(Locale.ROOT) + " " + line.getText());
            }
        }
    }

    private int refused(String message) {
        spec.commandLine().getErr().println("cork: " + message);
        spec.commandLine().getErr().flush();
        return Cork.BBS_ERROR;
    }
}
