package dev.corkboard.stager.cli;

import dev.corkboard.stager.StagerClient;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** A cork command that talks to the BBS: it connects, runs, and closes the connection. */
abstract class BbsCommand implements Callable<Integer> {

    @ParentCommand
    Cork cork;

    @Spec
    CommandSpec spec;

    @Override
    public final Integer call() throws Exception {
        Output output = new Output(spec.commandLine().getOut(), cork.json, Clock.systemUTC());
        try (StagerClient client = cork.connect()) {
            return run(client, output);
        }
    }

    abstract int run(StagerClient client, Output output) throws Exception;
}
