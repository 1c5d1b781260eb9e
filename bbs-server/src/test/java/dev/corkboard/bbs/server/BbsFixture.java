package dev.corkboard.bbs.server;

import dev.corkboard.proto.v1.Command;
import dev.corkboard.proto.v1.DesireTaskRequest;
import dev.corkboard.proto.v1.ListTasksRequest;
import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskDefinition;
import dev.corkboard.proto.v1.TaskServiceGrpc;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.GetOption;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Assertions;

/**
 * BBS replicas on a real etcd under one key prefix of their own, clients to them, and raw etcd access for checking
 * what the server left behind.
 */
final class BbsFixture implements AutoCloseable {

    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    final List<String> endpoints;
    final String prefix;
    final List<String> extraArgs;
    final BbsServer server;
    final ManagedChannel channel;
    final TaskServiceGrpc.TaskServiceBlockingStub tasks;
    final Client etcd;
    private final List<AutoCloseable> others = new CopyOnWriteArrayList<>();

    BbsFixture(List<String> endpoints, List<String> extraArgs) {
        this.endpoints = List.copyOf(endpoints);
        this.prefix = "/test-" + SEQUENCE.incrementAndGet() + "-" + UUID.randomUUID().toString().substring(0, 8);
        this.extraArgs = List.copyOf(extraArgs);
        this.etcd = Client.builder().endpoints(endpoints.toArray(new String[0])).build();
        this.server = replica();
        this.channel = channelTo(server);
        this.tasks = TaskServiceGrpc.newBlockingStub(channel);
    }

    /** The configuration of a replica of this fixture, with more flags appended. */
    BbsConfig config(String... more) {
        List<String> args = new ArrayList<>(List.of("--listen", "127.0.0.1:0", "--etcd-endpoints",
                String.join(",", endpoints), "--etcd-prefix", prefix, "--metrics-listen", "off",
                "--request-timeout", "2s", "--shutdown-grace-period", "5s"));
        args.addAll(extraArgs);
        args.addAll(List.of(more));
        return BbsConfig.parse(args.toArray(new String[0]), Map.of());
    }

    /** Another replica on the same etcd prefix, closed with the fixture. */
    BbsServer replica(String... more) {
        try {
            BbsServer replica = BbsServer.start(config(more));
            others.add(replica);
            return replica;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    ManagedChannel channelTo(BbsServer replica) {
        ManagedChannel created = ManagedChannelBuilder.forAddress("127.0.0.1", replica.port()).usePlaintext().build();
        others.add(() -> {
            created.shutdownNow();
            created.awaitTermination(5, TimeUnit.SECONDS);
        });
        return created;
    }

    static TaskDefinition definition() {
        return TaskDefinition.newBuilder().setCommand(Command.newBuilder().setPath("/bin/true")).build();
    }

    static DesireTaskRequest desire(String guid) {
        return DesireTaskRequest.newBuilder().setGuid(guid).setDomain("test-domain").setDefinition(definition())
                .build();
    }

    Task desired(String guid) {
        return tasks.desireTask(desire(guid)).getTask();
    }

    List<Task> listAll() {
        return tasks.listTasks(ListTasksRequest.getDefaultInstance()).getTasksList();
    }

    /** Every key under this fixture's prefix, relative to it. */
    List<String> etcdKeys() {
        ByteSequence key = ByteSequence.from(prefix + "/", StandardCharsets.UTF_8);
        List<String> found = new ArrayList<>();
        etcd.getKVClient().get(key, GetOption.builder().isPrefix(true).withKeysOnly(true).build()).join().getKvs()
                .forEach(kv -> found.add(kv.getKey().toString(StandardCharsets.UTF_8).substring(prefix.length())));
        return found;
    }

    void putRaw(String relativeKey, byte[] value) {
        etcd.getKVClient().put(ByteSequence.from(prefix + relativeKey, StandardCharsets.UTF_8),
                ByteSequence.from(value)).join();
    }

    static double count(MeterRegistry registry, String name) {
        return registry.find(name).counters().stream().mapToDouble(c -> c.count()).sum();
    }

    /** The status exception a call fails with; fails the test when the call succeeds. */
    static StatusRuntimeException refusal(Supplier<?> call) {
        return Assertions.assertThrows(StatusRuntimeException.class, call::get);
    }

    @Override
    public void close() {
        for (int i = others.size() - 1; i >= 0; i--) {
            try {
                others.get(i).close();
            } catch (Exception e) {
                // keep closing the rest
            }
        }
        etcd.close();
    }
}
