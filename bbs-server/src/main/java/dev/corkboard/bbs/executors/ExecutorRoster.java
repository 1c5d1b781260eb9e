package dev.corkboard.bbs.executors;

import dev.corkboard.bbs.store.EtcdFutures;
import dev.corkboard.bbs.store.EtcdTaskStore;
import dev.corkboard.bbs.store.Keys;
import dev.corkboard.bbs.store.TaskFilter;
import dev.corkboard.proto.v1.Capacity;
import dev.corkboard.proto.v1.ExecutorPresence;
import dev.corkboard.proto.v1.ExecutorStatus;
import dev.corkboard.proto.v1.Resources;
import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskState;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.OptionsUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executors present and what they use: every presence, with the resources of its Claimed and Running tasks
 * summed (a container each) and the free capacity left, floored at zero. Costs one range read of the presences and
 * listings of the Claimed and Running tasks (through the state index), whatever the size of the task table.
 *
 * <p>It also keeps the gauge of executors present, refreshed with a count-only read every third of the TTL; while
 * etcd is unreachable the gauge keeps its last value. A listing that cannot be read fails with {@code Unavailable}
 * within the request timeout.
 */
final class ExecutorRoster implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ExecutorRoster.class);

    private final KV kv;
    private final EtcdTaskStore store;
    private final Keys keys;
    private final Duration requestTimeout;
    private final AtomicLong present = new AtomicLong();
    private final ScheduledFuture<?> counting;

    ExecutorRoster(KV kv, EtcdTaskStore store, Keys keys, Duration requestTimeout, ScheduledExecutorService timer,
            ExecutorSettings settings, ExecutorMetrics metrics) {
        this.kv = kv;
        this.store = store;
        this.keys = keys;
        this.requestTimeout = requestTimeout;
        metrics.gauge(ExecutorMetrics.PRESENT, "executors with a presence in etcd", present::get);
        long period = Math.max(1000, settings.ttl().toMillis() / 3);
        this.counting = timer.scheduleWithFixedDelay(this::count, 0, period, TimeUnit.MILLISECONDS);
    }

    CompletableFuture<List<ExecutorStatus>> list() {
        CompletableFuture<List<ExecutorPresence>> presences = presences();
        CompletableFuture<FullListing> claimed = FullListing.of(store, TaskFilter.inState(TaskState.CLAIMED));
        CompletableFuture<FullListing> running = FullListing.of(store, TaskFilter.inState(TaskState.RUNNING));
        return CompletableFuture.allOf(presences, claimed, running).thenApply(all -> {
            Map<String, List<Task>> byExecutor = new HashMap<>();
            for (FullListing listing : List.of(claimed.join(), running.join())) {
                listing.tasks().forEach(task ->
                        byExecutor.computeIfAbsent(task.getExecutorId(), id -> new ArrayList<>()).add(task));
            }
            List<ExecutorStatus> statuses = new ArrayList<>();
            for (ExecutorPresence presence : presences.join()) {
                statuses.add(status(presence, byExecutor.getOrDefault(presence.getExecutorId(), List.of())));
            }
            return statuses;
        });
    }

    static ExecutorStatus status(ExecutorPresence presence, List<Task> tasks) {
        long memory = 0;
        long disk = 0;
        for (Task task : tasks) {
            Resources resources = task.getDefinition().getResources();
            memory += resources.getMemoryMb();
            disk += resources.getDiskMb();
        }
        Capacity used = Capacity.newBuilder().setMemoryMb(clamp(memory)).setDiskMb(clamp(disk))
                .setContainers(tasks.size()).build();
        Capacity capacity = presence.getCapacity();
        Capacity free = Capacity.newBuilder()
                .setMemoryMb(Math.max(0, capacity.getMemoryMb() - used.getMemoryMb()))
                .setDiskMb(Math.max(0, capacity.getDiskMb() - used.getDiskMb()))
                .setContainers(Math.max(0, capacity.getContainers() - used.getContainers()))
                .build();
        return ExecutorStatus.newBuilder().setPresence(presence).setUsed(used).setFree(free).setTasks(tasks.size())
                .build();
    }

    private static int clamp(long value) {
        return (int) Math.min(Integer.MAX_VALUE, value);
    }

    private CompletableFuture<List<ExecutorPresence>> presences() {
        ByteSequence prefix = ByteSequence.from(keys.executorsPrefix(), StandardCharsets.UTF_8);
        GetOption option = GetOption.builder().withRange(OptionsUtil.prefixEndOf(prefix)).build();
        return EtcdFutures.bounded(kv.get(prefix, option), requestTimeout).thenApply(response -> {
            List<ExecutorPresence> found = new ArrayList<>();
            for (KeyValue entry : response.getKvs()) {
                try {
                    found.add(ExecutorPresence.parseFrom(entry.getValue().getBytes()));
                } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                    log.warn("unparseable executor presence at {}", entry.getKey());
                }
            }
            return found;
        });
    }

    private void count() {
        ByteSequence prefix = ByteSequence.from(keys.executorsPrefix(), StandardCharsets.UTF_8);
        GetOption option = GetOption.builder().withRange(OptionsUtil.prefixEndOf(prefix)).withCountOnly(true).build();
        EtcdFutures.bounded(kv.get(prefix, option), requestTimeout).whenComplete((response, failure) -> {
            if (response != null) {
                present.set(response.getCount());
            } else {
                log.debug("cannot count executors present: {}", failure.getMessage());
            }
        });
    }

    @Override
    public void close() {
        counting.cancel(false);
    }
}
