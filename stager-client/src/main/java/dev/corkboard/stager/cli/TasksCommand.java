package dev.corkboard.stager.cli;

import dev.corkboard.proto.v1.ListTasksRequest;
import dev.corkboard.proto.v1.TaskState;
import dev.corkboard.stager.StagerClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "tasks", description = "List tasks, optionally filtered by state, domain and executor.")
final class TasksCommand extends BbsCommand {

    @Option(names = "--state", description = "One of: ${COMPLETION-CANDIDATES}.", completionCandidates = States.class)
    TaskState state;

    @Option(names = "--domain")
    String domain;

    @Option(names = "--executor", paramLabel = "ID")
    String executor;

    @Override
    int run(StagerClient client, Output output) {
        ListTasksRequest.Builder request = ListTasksRequest.newBuilder();
        if (state != null) {
            if (state == TaskState.TASK_STATE_UNSPECIFIED || state == TaskState.UNRECOGNIZED) {
                throw new IllegalArgumentException("--state must be one of " + new States());
            }
            request.setState(state);
        }
        if (domain != null) {
            request.setDomain(domain);
        }
        if (executor != null) {
            request.setExecutorId(executor);
        }
        output.tasks(client.list(request.build()));
        return 0;
    }

    static final class States extends java.util.ArrayList<String> {
        States() {
            super(java.util.List.of("PENDING", "CLAIMED", "RUNNING", "COMPLETED", "RESOLVING"));
        }
    }
}
