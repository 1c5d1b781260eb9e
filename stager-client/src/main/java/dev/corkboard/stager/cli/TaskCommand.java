package dev.corkboard.stager.cli;

import dev.corkboard.stager.StagerClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "task", description = "Show one task.")
final class TaskCommand extends BbsCommand {

    @Parameters(paramLabel = "GUID")
    String guid;

    @Override
    int run(StagerClient client, Output output) {
        output.task(client.get(guid));
        return 0;
    }
}
