package dev.corkboard.bbs.server;

import dev.corkboard.bbs.store.EtcdTaskStore;
import dev.corkboard.proto.v1.Task;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Tasks started, succeeded and failed, counted by the replica whose call moved them. Repeats that changed nothing are
 * not counted, so across all replicas each task counts at most once per counter.
 */
final class TaskCounters {

    private final Counter started;
    private final Counter succeeded;
    private final Counter failed;

    TaskCounters(MeterRegistry registry) {
        this.started = Counter.builder("corkboard.bbs.tasks.started")
                .description("tasks moved to RUNNING by a StartTask call on this replica").register(registry);
        this.succeeded = Counter.builder("corkboard.bbs.tasks.succeeded")
                .description("tasks completed without failure by a CompleteTask call on this replica")
                .register(registry);
        this.failed = Counter.builder("corkboard.bbs.tasks.failed")
                .description("tasks completed as failed by a CompleteTask call on this replica").register(registry);
    }

    void started(EtcdTaskStore.Applied applied) {
        if (applied.changed()) {
            started.increment();
        }
    }

    void completed(EtcdTaskStore.Applied applied) {
        if (applied.changed()) {
            Task task = applied.task();
            (task.getFailed() ? failed : succeeded).increment();
        }
    }
}
