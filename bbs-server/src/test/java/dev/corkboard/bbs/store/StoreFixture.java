package dev.corkboard.bbs.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.corkboard.bbs.state.TaskLifecycle;
import dev.corkboard.bbs.state.TaskRequest;
import dev.corkboard.proto.v1.Command;
import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskDefinition;
import dev.corkboard.testkit.FixtureExtension;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A task store on a real etcd, under a prefix of its own so tests sharing one etcd never see each other's keys. It
 * batches transitions ({@link #BATCHED}), so every store test runs the batched path; {@link TaskStoreSingleCommitTest}
 * covers one transaction per transition.
 */
final class StoreFixture implements FixtureExtension.Fixture {

    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    /** The batching every fixture uses unless a test asks otherwise. */
    static final int BATCHED = 16;

    final Client client;
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final StoreSettings settings;
    final EtcdTaskStore store;
    final Keys keys;

    StoreFixture(List<String> endpoints) {
        this(endpoints, Duration.ofSeconds(5));
    }

    StoreFixture(List<String> endpoints, Duration requestTimeout) {
        this(endpoints, settings().withRequestTimeout(requestTimeout));
    }

    /** Settings under a fresh prefix, batching transitions. */
    static StoreSettings settings() {
        return StoreSettings.defaults()
                .withPrefix("/test-" + SEQUENCE.incrementAndGet() + "-" + UUID.randomUUID().toString().substring(0, 8))
                .withTransitionBatch(BATCHED);
    }

    StoreFixture(List<String> endpoints, StoreSettings settings) {
        this.endpoints = List.copyOf(endpoints);
        this.client = Client.builder().endpoints(endpoints.toArray(new String[0])).build();
        this.settings = settings;
        this.store = new EtcdTaskStore(client, new TaskLifecycle(), Clock.systemUTC(), settings, registry);
        this.keys = new Keys(settings.prefix());
    }

    static TaskDefinition definition(String... command) {
        return TaskDefinition.newBuilder()
                .setCommand(Command.newBuilder().setPath(command.length == 0 ? "/bin/true" : command[0]))
                .build();
    }

    Task desire(String guid) {
        return desire(guid, "test-domain");
    }

    Task desire(String guid, String domain) {
        return join(store.apply(new TaskRequest.Desire(guid, domain, definition())));
    }

    Task apply(TaskRequest request) {
        return join(store.apply(request));
    }

    Task get(String guid) {
        return join(store.get(guid));
    }

    static <T> T join(java.util.concurrent.CompletableFuture<T> future) {
        return EtcdFutures.join(future);
    }

    /** Writes raw bytes where a task record belongs, as a corrupted or foreign writer might. */
    void putRaw(String guid, byte[] value) {
        client.getKVClient().put(keys.task(guid), ByteSequence.from(value)).join();
    }

    /** The record as stored now, with its mod revision, as a converger pass would have read it. */
    TaskRecord.Readable readable(String guid) {
        KeyValue kv = client.getKVClient().get(keys.task(guid)).join().getKvs().get(0);
        return new TaskRecord.Readable(TaskCodec.decode(kv), kv.getModRevision());
    }

    /** The mod revision of a task key, 0 when absent. */
    long modRevision(String guid) {
        List<KeyValue> kvs = client.getKVClient().get(keys.task(guid)).join().getKvs();
        return kvs.isEmpty() ? 0 : kvs.get(0).getModRevision();
    }

    long counter(String name) {
        return (long) registry.find(name).counters().stream().mapToDouble(c -> c.count()).sum();
    }

    /** Every index key under the prefix, relative to the prefix. */
    Set<String> indexKeys() {
        return keysUnder(keys.indexPrefix());
    }

    /** The index keys the stored records call for: after any sequence of calls, exactly {@link #indexKeys()}. */
    Set<String> expectedIndexKeys() {
        Set<String> expected = new TreeSet<>();
        for (KeyValue kv : rangeUnder(Keys.string(keys.tasksPrefix()), false)) {
            Task task;
            try {
                task = TaskCodec.decode(kv);
            } catch (dev.corkboard.bbs.state.TaskException e) {
                continue; // a corrupt record planted by a test has no index keys
            }
            for (ByteSequence key : keys.indexKeysOf(task)) {
                expected.add(Keys.string(key).substring(settings.prefix().length()));
            }
        }
        return expected;
    }

    /** After every test: the index keys mirror the task records exactly. */
    @Override
    public void verify() {
        assertIndexExact();
    }

    void assertIndexExact() {
        assertEquals(expectedIndexKeys(), indexKeys(), "index keys must mirror the task records exactly");
    }

    private Set<String> keysUnder(String prefix) {
        Set<String> found = new TreeSet<>();
        for (KeyValue kv : rangeUnder(prefix, true)) {
            found.add(kv.getKey().toString(StandardCharsets.UTF_8).substring(settings.prefix().length()));
        }
        return found;
    }

    private List<KeyValue> rangeUnder(String prefix, boolean keysOnly) {
        ByteSequence key = ByteSequence.from(prefix, StandardCharsets.UTF_8);
        return client.getKVClient()
                .get(key, GetOption.builder().isPrefix(true).withKeysOnly(keysOnly).build())
                .join().getKvs();
    }

    private final List<Client> extraClients = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<String> endpoints;

    /** A fixture on the same prefix that reaches etcd through other endpoints. */
    StoreFixture sharingPrefixThrough(List<String> otherEndpoints) {
        return new StoreFixture(otherEndpoints, settings);
    }

    /** Another store on the same prefix through a connection of its own, as another BBS replica would have. */
    EtcdTaskStore anotherReplica() {
        return anotherReplica(Clock.systemUTC());
    }

    EtcdTaskStore anotherReplica(Clock clock) {
        Client other = Client.builder().endpoints(endpoints.toArray(new String[0])).build();
        extraClients.add(other);
        return new EtcdTaskStore(other, new TaskLifecycle(), clock, settings, registry);
    }

    @Override
    public void close() {
        extraClients.forEach(Client::close);
        client.close();
    }
}
