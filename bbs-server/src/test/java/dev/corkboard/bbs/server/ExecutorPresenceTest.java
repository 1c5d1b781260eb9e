package dev.corkboard.bbs.server;

import static dev.corkboard.bbs.server.ExecutorCalls.blocking;
import static dev.corkboard.bbs.server.ExecutorCalls.heartbeat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corkboard.proto.v1.Capacity;
import dev.corkboard.proto.v1.ClaimNextRequest;
import dev.corkboard.proto.v1.DeregisterRequest;
import dev.corkboard.proto.v1.ExecutorPresence;
import dev.corkboard.proto.v1.ExecutorServiceGrpc.ExecutorServiceBlockingStub;
import dev.corkboard.proto.v1.ExecutorStatus;
import dev.corkboard.proto.v1.HeartbeatRequest;
import dev.corkboard.proto.v1.HeartbeatResponse;
import dev.corkboard.proto.v1.ListExecutorsRequest;
import dev.corkboard.proto.v1.WatchExecutorTasksRequest;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Executor presence: a key on an etcd lease that heartbeats renew through any replica. */
class ExecutorPresenceTest {

    @RegisterExtension
    static final BbsExtension bbs = new BbsExtension("--executor-ttl", "2s");

    private static List<String> present(ExecutorServiceBlockingStub executors) {
        return executors.listExecutors(ListExecutorsRequest.getDefaultInstance()).getExecutorsList().stream()
                .map(status -> status.getPresence().getExecutorId()).toList();
    }

    private static Optional<KeyValue> stored(BbsFixture f, String executorId) {
        List<KeyValue> kvs = f.etcd.getKVClient().get(ByteSequence.from(f.prefix + "/executors/" + executorId,
                StandardCharsets.UTF_8)).join().getKvs();
        return kvs.stream().findFirst();
    }

    @Test
    void aHeartbeatPutsThePresenceOnALeaseThatExpiresWithoutHeartbeats() throws Exception {
        BbsFixture f = bbs.fixture();
        ExecutorServiceBlockingStub executors = blocking(f.channel);
        HeartbeatResponse response = executors.heartbeat(heartbeat("cell-1", 0));

        assertNotEquals(0, response.getLeaseId());
        assertEquals(2, response.getTtlSeconds());
        KeyValue kv = stored(f, "cell-1").orElseThrow();
        assertEquals(response.getLeaseId(), kv.getLease());
        ExecutorPresence presence = ExecutorPresence.parseFrom(kv.getValue().getBytes());
        assertTrue(presence.getRegisteredAtMs() > 0, "the BBS sets registered_at_ms");
        assertEquals(List.of("cell-1"), present(executors));

        await().atMost(Duration.ofSeconds(10)).until(() -> present(executors).isEmpty());
        assertTrue(stored(f, "cell-1").isEmpty());
    }

    @Test
    void heartbeatsThroughASecondReplicaKeepThePresenceAfterTheFirstReplicaIsClosed() {
        BbsFixture f = bbs.fixture();
        BbsServer first = f.replica();
        long lease = blocking(f.channelTo(first)).heartbeat(heartbeat("cell-1", 0)).getLeaseId();
        first.close();

        ExecutorServiceBlockingStub second = blocking(f.channel);
        // for twice the TTL, every heartbeat renews the lease the closed replica granted
        await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(8)).pollInterval(Duration.ofMillis(400))
                .until(() -> second.heartbeat(heartbeat("cell-1", lease)).getLeaseId() == lease
                        && stored(f, "cell-1").map(KeyValue::getLease).orElse(0L) == lease);
    }

    @Test
    void aHeartbeatOnALeaseThatNoLongerExistsGetsANewLease() {
        BbsFixture f = bbs.fixture();
        ExecutorServiceBlockingStub executors = blocking(f.channel);
        long lease = executors.heartbeat(heartbeat("cell-1", 0)).getLeaseId();
        f.etcd.getLeaseClient().revoke(lease).join();
        assertTrue(stored(f, "cell-1").isEmpty());

        long renewed = executors.heartbeat(heartbeat("cell-1", lease)).getLeaseId();

        assertNotEquals(lease, renewed);
        assertEquals(renewed, stored(f, "cell-1").orElseThrow().getLease());
    }

    @Test
    void aHeartbeatWithAChangedPresencePutsItAgain() throws Exception {
        BbsFixture f = bbs.fixture();
        ExecutorServiceBlockingStub executors = blocking(f.channel);
        long lease = executors.heartbeat(heartbeat("cell-1", 0)).getLeaseId();
        Capacity smaller = Capacity.newBuilder().setMemoryMb(512).setDiskMb(10).setContainers(1).build();

        executors.heartbeat(HeartbeatRequest.newBuilder()
                .setPresence(ExecutorCalls.presence("cell-1", smaller)).setLeaseId(lease).build());

        ExecutorStatus status = executors.listExecutors(ListExecutorsRequest.getDefaultInstance()).getExecutors(0);
        assertEquals(smaller, status.getPresence().getCapacity());
        assertEquals(lease, stored(f, "cell-1").orElseThrow().getLease());
    }

    @Test
    void deregisterRemovesThePresenceAtOnce() {
        BbsFixture f = bbs.fixture();
        ExecutorServiceBlockingStub executors = blocking(f.channel);
        long lease = executors.heartbeat(heartbeat("cell-1", 0)).getLeaseId();
        executors.heartbeat(heartbeat("cell-2", 0));

        executors.deregister(DeregisterRequest.newBuilder().setExecutorId("cell-1").setLeaseId(lease).build());

        assertEquals(List.of("cell-2"), present(executors));
        assertTrue(stored(f, "cell-1").isEmpty());
    }

    @Test
    void aHeartbeatNamingAnotherExecutorsLeaseGetsALeaseOfItsOwnSoDeregisterLeavesTheOtherPresent() {
        BbsFixture f = bbs.fixture();
        ExecutorServiceBlockingStub executors = blocking(f.channel);
        long theirs = executors.heartbeat(heartbeat("cell-1", 0)).getLeaseId();

        long own = executors.heartbeat(heartbeat("cell-2", theirs)).getLeaseId();
        executors.deregister(DeregisterRequest.newBuilder().setExecutorId("cell-2").setLeaseId(own).build());

        assertNotEquals(theirs, own);
        assertEquals(List.of("cell-1"), present(executors));
        assertEquals(theirs, stored(f, "cell-1").orElseThrow().getLease());
    }

    @Test
    void invalidRequestsAreRefusedNamingTheField() {
        ExecutorServiceBlockingStub executors = blocking(bbs.fixture().channel);
        Capacity negative = Capacity.newBuilder().setMemoryMb(-1).build();
        assertInvalid("presence.executor_id", () -> executors.heartbeat(heartbeat("no/slash", 0)));
        assertInvalid("presence.capacity.memory_mb", () -> executors.heartbeat(HeartbeatRequest.newBuilder()
                .setPresence(ExecutorCalls.presence("cell-1", negative)).build()));
        assertInvalid("lease_id", () -> executors.heartbeat(heartbeat("cell-1", -5)));
        assertInvalid("executor_id", () -> executors.deregister(DeregisterRequest.getDefaultInstance()));
        assertInvalid("executor_id", () -> executors.claimNext(ClaimNextRequest.getDefaultInstance()));
        assertInvalid("free.disk_mb", () -> executors.claimNext(ClaimNextRequest.newBuilder().setExecutorId("c1")
                .setFree(Capacity.newBuilder().setDiskMb(-3)).build()));
        assertInvalid("wait_ms", () -> executors.claimNext(ClaimNextRequest.newBuilder().setExecutorId("c1")
                .setWaitMs(-1).build()));
        assertInvalid("executor_id", () -> executors.watchExecutorTasks(WatchExecutorTasksRequest.newBuilder()
                .setExecutorId("a b").build()).hasNext());
    }

    private static void assertInvalid(String field, Supplier<?> call) {
        StatusRuntimeException e = BbsFixture.refusal(call);
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getStatus().toString());
        assertEquals(field, e.getTrailers().get(ErrorStatus.FIELD_KEY));
        assertTrue(e.getStatus().getDescription().contains(field), e.getStatus().getDescription());
    }
}
