package dev.corkboard.stager.cli;

import dev.corkboard.proto.v1.Task;
import dev.corkboard.stager.StagerClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "resolve", description = "Resolve a completed task by hand (resolving, then resolve): it is removed.")
final class ResolveCommand extends BbsCommand {

    @Parameters(paramLabel = "GUID")
    String guid;

    @Override
    int run(StagerClient client, Output output) {
        client.resolving(guid);
        Task removed = client.resolve(guid);
        if (cork.json) {
            output.task(removed);
        } else {
            output.line("resolved " + removed.getGuid() + " (" + Output.outcome(removed) + ")");
        }
        return 0;
    }
}
