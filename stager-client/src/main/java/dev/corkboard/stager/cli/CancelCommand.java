package dev.corkboard.stager.cli;

import dev.corkboard.stager.StagerClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "cancel", description = "Cancel a pending, claimed or running task.")
final class CancelCommand extends BbsCommand {

    @Parameters(paramLabel = "GUID")
    String guid;

    @Override
    int run(StagerClient client, Output output) {
        output.task(client.cancel(guid));
        return 0;
    }
}
