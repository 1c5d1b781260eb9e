package dev.corkboard.bbs.server;

import dev.corkboard.proto.v1.Capacity;
import dev.corkboard.proto.v1.ClaimNextRequest;
import dev.corkboard.proto.v1.ClaimNextResponse;
import dev.corkboard.proto.v1.Command;
import dev.corkboard.proto.v1.DesireTaskRequest;
import dev.corkboard.proto.v1.ExecutorPresence;
import dev.corkboard.proto.v1.ExecutorServiceGrpc;
import dev.corkboard.proto.v1.HeartbeatRequest;
import dev.corkboard.proto.v1.Resources;
import dev.corkboard.proto.v1.TaskDefinition;
import io.grpc.ManagedChannel;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Requests and clients for the executor service tests. */
final class ExecutorCalls {

    static final Capacity ROOMY = Capacity.newBuilder().setMemoryMb(4096).setDiskMb(10_000).setContainers(4).build();

    private ExecutorCalls() {}

    static ExecutorServiceGrpc.ExecutorServiceBlockingStub blocking(ManagedChannel channel) {
        return ExecutorServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    static ExecutorPresence presence(String executorId, Capacity capacity) {
        return ExecutorPresence.newBuilder().setExecutorId(executorId).setAddress("127.0.0.1:9000")
                .setZone("z1").setCapacity(capacity).addRuntimes("process").build();
    }

    static HeartbeatRequest heartbeat(String executorId, long leaseId) {
        return HeartbeatRequest.newBuilder().setPresence(presence(executorId, ROOMY)).setLeaseId(leaseId).build();
    }

    static ClaimNextRequest.Builder claimNext(String executorId, long waitMs) {
        return ClaimNextRequest.newBuilder().setExecutorId(executorId).setFree(ROOMY).addRuntimes("process")
                .setWaitMs(waitMs);
    }

    /** A ClaimNext that runs in the background. */
    static CompletableFuture<ClaimNextResponse> claimNextAsync(ManagedChannel channel, ClaimNextRequest request) {
        CompletableFuture<ClaimNextResponse> answer = new CompletableFuture<>();
        ExecutorServiceGrpc.newStub(channel).withDeadlineAfter(70, TimeUnit.SECONDS).claimNext(request,
                new io.grpc.stub.StreamObserver<>() {
                    @Override
                    public void onNext(ClaimNextResponse value) {
                        answer.complete(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        answer.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        answer.complete(ClaimNextResponse.getDefaultInstance());
                    }
                });
        return answer;
    }

    static DesireTaskRequest desire(String guid, int memoryMb, int diskMb, List<String> tags, String runtime) {
        TaskDefinition definition = TaskDefinition.newBuilder()
                .setCommand(Command.newBuilder().setPath("/bin/true"))
                .setResources(Resources.newBuilder().setMemoryMb(memoryMb).setDiskMb(diskMb))
                .addAllPlacementTags(tags)
                .setRuntime(runtime)
                .build();
        return DesireTaskRequest.newBuilder().setGuid(guid).setDomain("test-domain").setDefinition(definition).build();
    }

    /** The value of a gauge of a replica, 0 when it is not registered. */
    static double gauge(MeterRegistry registry, String name) {
        Gauge gauge = registry.find(name).gauge();
        return gauge == null ? 0 : gauge.value();
    }

    static double counter(MeterRegistry registry, String name, String tag, String value) {
        return registry.find(name).tag(tag, value).counters().stream().mapToDouble(c -> c.count()).sum();
    }
}
