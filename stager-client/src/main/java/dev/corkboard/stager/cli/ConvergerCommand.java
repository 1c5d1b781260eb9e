package dev.corkboard.stager.cli;

import dev.corkboard.proto.v1.ClusterServiceGrpc;
import dev.corkboard.proto.v1.ConvergerStatus;
import dev.corkboard.proto.v1.GetConvergerStatusRequest;
import dev.corkboard.proto.v1.GetConvergerStatusResponse;
import dev.corkboard.proto.v1.TasksByState;
import dev.corkboard.stager.StagerClient;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;

/**
 * {@code cork converger}: who leads the converger now and what its leader's last pass did, as the BBS reads them from
 * etcd (corkboard.v1.ClusterService). The status may be a previous leader's until the new one completes a pass; both
 * ids are printed so the two cannot be confused.
 */
@Command(name = "converger", description = "Show the converger's current leader and its last pass.")
final class ConvergerCommand extends BbsCommand {

    static final String NEVER_LED = "no converger has led yet";

    @Override
    int run(StagerClient client, Output output) {
        GetConvergerStatusResponse response = ClusterServiceGrpc.newBlockingStub(client.channel()).withWaitForReady()
                .withDeadlineAfter(cork.callTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .getConvergerStatus(GetConvergerStatusRequest.getDefaultInstance());
        if (cork.json) {
            output.line(Output.json(response));
            return 0;
        }
        String leader = response.getCurrentLeaderId();
        if (!response.hasStatus()) {
            output.line(leader.isEmpty() ? NEVER_LED : "leader     " + leader + " (no pass completed yet)");
            return 0;
        }
        ConvergerStatus status = response.getStatus();
        List<List<String>> lines = new ArrayList<>();
        lines.add(List.of("leader", leader.isEmpty() ? "none now (last: " + status.getLeaderId() + ")"
                : leader.equals(status.getLeaderId()) ? leader
                : leader + " (last pass by " + status.getLeaderId() + ")"));
        lines.add(List.of("elected at", Instant.ofEpochMilli(status.getElectedAtMs()).toString()));
        lines.add(List.of("last pass", Instant.ofEpochMilli(status.getLastPassStartedAtMs()) + ", took "
                + status.getLastPassDurationMs() + "ms, at revision " + status.getLastPassRevision()));
        lines.add(List.of("repairs", "kicked " + status.getKicked() + ", demoted " + status.getDemoted()
                + ", failed " + status.getFailed() + ", expired " + status.getExpired() + ", pruned "
                + status.getPruned() + " (lost " + status.getLost() + ", errors " + status.getErrors() + ")"));
        lines.add(List.of("executors", Long.toString(status.getPresentExecutors())));
        aligned(output, lines);
        output.line("");
        output.table(List.of("STATE", "TASKS"), tasks(status.getTasks()));
        return 0;
    }

    private static void aligned(Output output, List<List<String>> lines) {
        int width = lines.stream().mapToInt(line -> line.get(0).length()).max().orElse(0);
        for (List<String> line : lines) {
            output.line(line.get(0) + " ".repeat(width - line.get(0).length() + 2) + line.get(1));
        }
    }

    private static List<List<String>> tasks(TasksByState tasks) {
        List<List<String>> rows = new ArrayList<>(List.of(
                List.of("PENDING", Long.toString(tasks.getPending())),
                List.of("CLAIMED", Long.toString(tasks.getClaimed())),
                List.of("RUNNING", Long.toString(tasks.getRunning())),
                List.of("COMPLETED", Long.toString(tasks.getCompleted())),
                List.of("RESOLVING", Long.toString(tasks.getResolving()))));
        if (tasks.getUnreadable() > 0) {
            rows.add(List.of("UNREADABLE", Long.toString(tasks.getUnreadable())));
        }
        return rows;
    }
}
