package dev.corkboard.bench;

import dev.corkboard.proto.v1.Command;
import dev.corkboard.proto.v1.TaskDefinition;
import dev.corkboard.stager.BbsChannel;
import dev.corkboard.stager.BbsEndpoints;
import io.grpc.ManagedChannel;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A simulated stager and simulated executors on one BBS replica, each over a connection of its own as separate
 * processes would be, running no-op tasks through the whole API lifecycle: DesireTask, ClaimNext, StartTask,
 * CompleteTask, the completion on WatchTasks, ResolvingTask, ResolveTask.
 */
final class SimulatedFleet implements AutoCloseable {

    /** A task with nothing to run: no runtime is named, so only the simulated executors take it. */
    static final TaskDefinition NO_OP = TaskDefinition.newBuilder()
            .setCommand(Command.newBuilder().setPath("/bin/true")).build();

    private final ManagedChannel stagerChannel;
    private final ManagedChannel executorChannel;
    private final SimulatedStager stager;
    private final SimulatedExecutors executors;
    private final String guidPrefix;
    private final AtomicLong tasks = new AtomicLong();

    private SimulatedFleet(ManagedChannel stagerChannel, ManagedChannel executorChannel, SimulatedStager stager,
            SimulatedExecutors executors, String guidPrefix) {
        this.stagerChannel = stagerChannel;
        this.executorChannel = executorChannel;
        this.stager = stager;
        this.executors = executors;
        this.guidPrefix = guidPrefix;
    }

    static SimulatedFleet start(String bbsEndpoint, int executorCount, String guidPrefix,
            SimulatedExecutors.ClaimListener listener) {
        BbsEndpoints endpoints = BbsEndpoints.parse(bbsEndpoint);
        ManagedChannel stagerChannel = BbsChannel.open(endpoints, Optional.empty());
        ManagedChannel executorChannel = BbsChannel.open(endpoints, Optional.empty());
        SimulatedStager stager = SimulatedStager.start(stagerChannel);
        SimulatedExecutors executors = SimulatedExecutors.start(executorChannel, executorCount, listener);
        return new SimulatedFleet(stagerChannel, executorChannel, stager, executors, guidPrefix);
    }

    /** The guid of the next task; unique within the run, whose keys live under a fresh prefix. */
    String nextGuid() {
        return guidPrefix + "-" + tasks.incrementAndGet();
    }

    /** One no-op task from desire to resolve; see {@link SimulatedStager#lifecycle}. */
    CompletableFuture<Boolean> lifecycle(String guid) {
        return stager.lifecycle(guid, NO_OP);
    }

    SimulatedExecutors executors() {
        return executors;
    }

    @Override
    public void close() throws InterruptedException {
        executors.close();
        stager.close();
        for (ManagedChannel channel : new ManagedChannel[] {executorChannel, stagerChannel}) {
            channel.shutdownNow();
            channel.awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
