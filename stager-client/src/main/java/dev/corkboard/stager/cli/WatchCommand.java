package dev.corkboard.stager.cli;

import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskEvent;
import dev.corkboard.proto.v1.WatchTasksResponse;
import dev.corkboard.stager.StagerClient;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Iterator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "watch", description = {"Print every task change as it happens, one line each, until interrupted.",
    "When the BBS replica goes away it resumes on another from the last revision printed."})
final class WatchCommand extends BbsCommand {

    private static final int MAX_RESUMES = 10;

    @Option(names = "--from-revision", paramLabel = "R", defaultValue = "0",
            description = "Print the changes after revision R (default: from now on).")
    long fromRevision;

    @Option(names = "--count", paramLabel = "N", defaultValue = "0",
            description = "Stop after N events (default: never).")
    long count;

    @Override
    int run(StagerClient client, Output output) throws InterruptedException {
        // one transaction may change several tasks at one revision, and a stream may break between them: a resume
        // starts at the last revision printed again and skips the events of it already printed
        long last = fromRevision;
        long printedAtLast = 0;
        long printed = 0;
        int resumes = 0;
        if (!cork.json) {
            output.line(String.format("%-10s %-8s %-40s %s", "REVISION", "EVENT", "GUID", "STATE"));
        }
        while (true) {
            long after = printedAtLast == 0 ? last : last - 1;
            long skip = printedAtLast;
            try {
                Iterator<WatchTasksResponse> responses = client.watch(after);
                while (responses.hasNext()) {
                    WatchTasksResponse response = responses.next();
                    if (response.hasResyncRequired()) {
                        spec.commandLine().getErr().println("cork: revision " + after + " has been compacted away;"
                                + " list the tasks (cork tasks) and watch without --from-revision");
                        return Cork.BBS_ERROR;
                    }
                    TaskEvent event = response.getEvent();
                    if (skip > 0 && event.getRevision() == last) {
                        skip--;
                        continue;
                    }
                    skip = 0;
                    print(event, output);
                    printedAtLast = event.getRevision() == last ? printedAtLast + 1 : 1;
                    last = event.getRevision();
                    resumes = 0;
                    if (count > 0 && ++printed >= count) {
                        return 0;
                    }
                }
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.UNAVAILABLE || ++resumes > MAX_RESUMES) {
                    throw e;
                }
                Thread.sleep(200L * resumes);
            }
        }
    }

    private void print(TaskEvent event, Output output) {
        if (cork.json) {
            output.jsonLine(event);
            return;
        }
        String kind;
        Task task;
        String state;
        switch (event.getEventCase()) {
            case CREATED -> {
                kind = "created";
                task = event.getCreated().getTask();
                state = task.getState().name();
            }
            case CHANGED -> {
                kind = "changed";
                task = event.getChanged().getAfter();
                state = (event.getChanged().hasBefore() ? event.getChanged().getBefore().getState().name() : "?")
                        + " -> " + task.getState().name();
            }
            case REMOVED -> {
                kind = "removed";
                task = event.getRemoved().getTask();
                state = task.getState().name() + " -> (removed)";
            }
            default -> {
                return;
            }
        }
        output.line(String.format("%-10d %-8s %-40s %s", event.getRevision(), kind, task.getGuid(), state));
    }
}
