package dev.corkboard.converger;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.corkboard.bbs.state.TaskLifecycle;
import dev.corkboard.bbs.state.TaskRequest;
import dev.corkboard.bbs.store.EtcdTaskStore;
import dev.corkboard.bbs.store.ExecutorPresences;
import dev.corkboard.bbs.store.Keys;
import dev.corkboard.bbs.store.StoreSettings;
import dev.corkboard.proto.v1.Command;
import dev.corkboard.proto.v1.ExecutorPresence;
import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskDefinition;
import dev.corkboard.testkit.FixtureExtension;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A task table on a real etcd under a prefix of its own, a hand-moved clock, and the pieces of a converger, for
 * tests that drive passes step by step. {@link #assertIndexExact()} checks the store's invariant independently of its
 * code: the index keys are exactly those the records call for.
 */
final class ConvergerFixture implements FixtureExtension.Fixture {

    static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

    final List<String> endpoints;
    final Client client;
    final StoreSettings storeSettings;
    final MutableClock clock = new MutableClock(T0);
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final EtcdTaskStore store;
    final Keys keys;
    private final List<AutoCloseable> closeables = new CopyOnWriteArrayList<>();

    ConvergerFixture(List<String> endpoints) {
        this(endpoints, Duration.ofSeconds(5));
    }

    ConvergerFixture(List<String> endpoints, Duration requestTimeout) {
        this.endpoints = List.copyOf(endpoints);
        this.client = Client.builder().endpoints(endpoints.toArray(new String[0])).build();
        this.storeSettings = StoreSettings.defaults()
                .withPrefix("/conv-" + UUID.randomUUID().toString().substring(0, 8))
                .withRequestTimeout(requestTimeout);
        this.store = new EtcdTaskStore(client, new TaskLifecycle(), clock, storeSettings, new SimpleMeterRegistry());
        this.keys = Keys.under(storeSettings.prefix());
    }

    ConvergencePass pass(ConvergerSettings settings, ConvergerObserver observer) {
        return new ConvergencePass(new EtcdTaskStore(client, new TaskLifecycle(), clock,
                storeSettings.withKnownRecords(0), registry), new ExecutorPresences(client.getKVClient(),
                storeSettings), settings, clock, observer);
    }

    /** A converger on this fixture's prefix with a client of its own (closed with the fixture). */
    Converger converger(String id, ConvergerSettings settings, ConvergerObserver observer) {
        return converger(id, settings, observer, new SimpleMeterRegistry());
    }

    Converger converger(String id, ConvergerSettings settings, ConvergerObserver observer,
            io.micrometer.core.instrument.MeterRegistry meters) {
        Client own = Client.builder().endpoints(endpoints.toArray(new String[0])).build();
        Converger converger = new Converger(own, settings, storeSettings, meters, clock, id, observer);
        closeables.add(own);
        closeables.add(converger);
        return converger;
    }

    Task apply(TaskRequest request) {
        try {
            return store.apply(request).join();
        } catch (CompletionException e) {
            throw (RuntimeException) e.getCause();
        }
    }

    Task desire(String guid) {
        return apply(new TaskRequest.Desire(guid, "builds", TaskDefinition.newBuilder()
                .setCommand(Command.newBuilder().setPath("/bin/true")).build()));
    }

    Optional<Task> find(String guid) {
        List<KeyValue> kvs = client.getKVClient().get(taskKey(guid)).join().getKvs();
        if (kvs.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Task.parseFrom(kvs.get(0).getValue().getBytes()));
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError("unreadable record " + guid, e);
        }
    }

    Task get(String guid) {
        return find(guid).orElseThrow(() -> new AssertionError("no task " + guid));
    }

    long modRevision(String guid) {
        List<KeyValue> kvs = client.getKVClient().get(taskKey(guid)).join().getKvs();
        return kvs.isEmpty() ? 0 : kvs.get(0).getModRevision();
    }

    boolean exists(String guid) {
        return modRevision(guid) != 0;
    }

    void putRaw(String guid, byte[] value) {
        client.getKVClient().put(taskKey(guid), ByteSequence.from(value)).join();
    }

    /** Registers an executor's presence on a lease of its own, as the executor service will; returns the lease. */
    long presence(String executorId, Duration ttl) {
        long lease = client.getLeaseClient().grant(ttl.toSeconds()).join().getID();
        ByteSequence value = ByteSequence.from(ExecutorPresence.newBuilder().setExecutorId(executorId).build()
                .toByteArray());
        client.getKVClient().put(keys.executor(executorId), value, PutOption.builder().withLeaseId(lease).build())
                .join();
        return lease;
    }

    /** The converger status the leader last wrote, if any. */
    Optional<dev.corkboard.proto.v1.ConvergerStatus> status() {
        List<KeyValue> kvs = client.getKVClient().get(keys.convergerStatus()).join().getKvs();
        if (kvs.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(dev.corkboard.proto.v1.ConvergerStatus.parseFrom(kvs.get(0).getValue().getBytes()));
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError("unreadable status", e);
        }
    }

    /** Deletes every candidate key of the converger election, as etcd does when their leases expire. */
    void deleteElectionKeys() {
        ByteSequence prefix = ByteSequence.from(keys.convergerElection().toString(StandardCharsets.UTF_8) + "/", StandardCharsets.UTF_8);
        client.getKVClient().delete(prefix, io.etcd.jetcd.options.DeleteOption.builder().isPrefix(true).build())
                .join();
    }

    void revoke(long lease) {
        client.getLeaseClient().revoke(lease).join();
    }

    ByteSequence taskKey(String guid) {
        return ByteSequence.from(storeSettings.prefix() + "/tasks/" + guid, StandardCharsets.UTF_8);
    }

    /** The index keys (relative to the prefix) the readable records call for, by the layout documented in Keys. */
    Set<String> expectedIndexKeys() {
        Set<String> expected = new TreeSet<>();
        for (KeyValue kv : range("/tasks/", false)) {
            Task task;
            try {
                task = Task.parseFrom(kv.getValue().getBytes());
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                continue;
            }
            if (task.getGuid().isEmpty()) {
                continue;
            }
            expected.add("/index/state/" + task.getState() + "/" + task.getDomain() + "/" + task.getGuid());
            if (!task.getExecutorId().isEmpty()) {
                expected.add("/index/executor/" + task.getExecutorId() + "/" + task.getGuid());
            }
        }
        return expected;
    }

    Set<String> indexKeys() {
        Set<String> found = new TreeSet<>();
        for (KeyValue kv : range("/index/", true)) {
            found.add(kv.getKey().toString(StandardCharsets.UTF_8).substring(storeSettings.prefix().length()));
        }
        return found;
    }

    /** After every test: the index keys mirror the task records exactly. */
    @Override
    public void verify() {
        assertIndexExact();
    }

    void assertIndexExact() {
        assertEquals(expectedIndexKeys(), indexKeys(), "index keys must mirror the task records exactly");
    }

    private List<KeyValue> range(String under, boolean keysOnly) {
        ByteSequence key = ByteSequence.from(storeSettings.prefix() + under, StandardCharsets.UTF_8);
        return new ArrayList<>(client.getKVClient()
                .get(key, GetOption.builder().isPrefix(true).withKeysOnly(keysOnly).build()).join().getKvs());
    }

    @Override
    public void close() {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            try {
                closeables.get(i).close();
            } catch (Exception e) {
                // closing what is left matters more
            }
        }
        client.close();
    }
}
