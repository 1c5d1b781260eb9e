package dev.corkboard.bench;

import dev.corkboard.proto.v1.Command;
import dev.corkboard.proto.v1.TaskDefinition;
import dev.corkboard.stager.BbsEndpoints;
import dev.corkboard.stager.StagerClient;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Tasks end to end through real executor agents: a number of agents (in this JVM, each with its own sandbox
 * directories) run {@code /bin/true} in one runtime, and tasks are desired through the stager client with a fixed
 * number in flight, their completions followed on the task watch and resolved, as {@link TaskBatch} does.
 */
final class EndToEnd {

    private static final String COMMAND = "/bin/true";
    private static final Duration TASK_TIMEOUT = Duration.ofSeconds(60);

    /** What was asked for. */
    record Settings(String runtime, int agents, int containers, int tasks, int warmup, int inFlight) {}

    private EndToEnd() {}

    /**
     * @throws IllegalStateException when an agent cannot run the runtime here, or the completion watch broke
     */
    static TaskBatch.Outcome run(String bbsEndpoint, Settings settings, PrintStream progress)
            throws IOException, InterruptedException {
        List<InProcessAgent> agents = new ArrayList<>();
        ExecutorService resolver = Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "corkboard-bench-resolver");
            thread.setDaemon(true);
            return thread;
        });
        try (StagerClient client = StagerClient.connect(BbsEndpoints.parse(bbsEndpoint));
                CompletionWatch watch = CompletionWatch.start(client)) {
            for (int i = 0; i < settings.agents(); i++) {
                agents.add(InProcessAgent.start(settings.runtime(), bbsEndpoint, settings.containers()));
            }
            TaskDefinition definition = TaskDefinition.newBuilder().setRuntime(settings.runtime())
                    .setCommand(Command.newBuilder().setPath(COMMAND)).build();
            progress.printf("end to end: %d warm-up tasks, then %d measured, %d in flight, %d %s agents with %d"
                    + " containers each%n", settings.warmup(), settings.tasks(), settings.inFlight(),
                    settings.agents(), settings.runtime(), settings.containers());
            new TaskBatch(client, watch, resolver, definition, settings.inFlight(), TASK_TIMEOUT)
                    .run(settings.warmup(), "e2e-warmup", SimulatedStager.DOMAIN);
            return new TaskBatch(client, watch, resolver, definition, settings.inFlight(), TASK_TIMEOUT)
                    .run(settings.tasks(), "e2e", SimulatedStager.DOMAIN);
        } finally {
            agents.forEach(InProcessAgent::close);
            resolver.shutdownNow();
        }
    }
}
