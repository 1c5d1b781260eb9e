package dev.corkboard.stager.cli;

import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskState;
import dev.corkboard.stager.StagerClient;
import java.time.Duration;
import java.time.Instant;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "wait", description = {"Wait until a task has completed and print it.",
    "Exit 0 when it succeeded, 1 when it failed, 2 when the timeout passed first."})
final class WaitCommand extends BbsCommand {

    private static final Duration FIRST_POLL = Duration.ofMillis(50);
    private static final Duration MAX_POLL = Duration.ofSeconds(1);

    @Parameters(paramLabel = "GUID")
    String guid;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10m", converter = DurationConverter.class,
            description = "How long to wait (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    int run(StagerClient client, Output output) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        Duration poll = FIRST_POLL;
        while (true) {
            Task task = client.get(guid);
            if (task.getState() == TaskState.COMPLETED || task.getState() == TaskState.RESOLVING) {
                output.task(task);
                return task.getFailed() ? Cork.TASK_FAILED : 0;
            }
            Duration left = Duration.between(Instant.now(), deadline);
            if (left.isNegative() || left.isZero()) {
                spec.commandLine().getErr().println("cork: timed out after " + timeout + " waiting for task "
                        + guid + " (it is " + task.getState() + ")");
                return Cork.TIMED_OUT;
            }
            // polling a single key is cheap, and unlike a watch it cannot miss a change across replicas
            Thread.sleep(Math.min(poll.toMillis(), left.toMillis()));
            poll = poll.multipliedBy(2).compareTo(MAX_POLL) > 0 ? MAX_POLL : poll.multipliedBy(2);
        }
    }
}
