package dev.corkboard.bench;

import dev.corkboard.bbs.state.TaskLifecycle;
import dev.corkboard.bbs.state.TaskRequest;
import dev.corkboard.bbs.store.EtcdTaskStore;
import dev.corkboard.bbs.store.StoreSettings;
import dev.corkboard.bbs.store.TaskEventSink;
import dev.corkboard.bbs.store.TaskFilter;
import dev.corkboard.bbs.store.TaskWatch;
import dev.corkboard.proto.v1.Command;
import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskDefinition;
import dev.corkboard.proto.v1.TaskEvent;
import io.etcd.jetcd.Client;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintStream;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import picocli.CommandLine;

/**
 * A guided tour of the task store on a real etcd it starts for itself: three tasks go through their lifecycles while
 * a watch prints every change, two executors race for one task, and the table is listed by state.
 */
@CommandLine.Command(name = "demo", description = "Walk tasks through their lifecycle on a private etcd, printing"
        + " every change the watch sees.")
public final class StoreDemo implements Callable<Integer> {

    private static final TaskDefinition ECHO = TaskDefinition.newBuilder()
            .setCommand(Command.newBuilder().setPath("/bin/echo").addArgs("hello"))
            .build();

    private final PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
        try (EtcdUnderTest etcd = EtcdUnderTest.startLocal();
                Client client = Client.builder().endpoints(etcd.endpoints().toArray(new String[0])).build()) {
            out.println("etcd started at " + etcd.endpoints().get(0));
            EtcdTaskStore store = new EtcdTaskStore(client, new TaskLifecycle(), Clock.systemUTC(),
                    StoreSettings.defaults().withPrefix("/corkboard-demo"), new SimpleMeterRegistry());
            try (TaskWatch watch = store.watch(0, new PrintingSink(), 1000)) {
                tour(store, watch);
            }
            out.println();
            out.println("tasks left, by state:");
            for (Task task : store.list(TaskFilter.all(), 100, Optional.empty()).join().tasks()) {
                out.printf("  %-8s %-10s executor=%-7s failed=%-5s %s%n", task.getGuid(), task.getState(),
                        task.getExecutorId(), task.getFailed(), task.getFailureReason());
            }
        }
        return 0;
    }

    private void tour(EtcdTaskStore store, TaskWatch watch) throws InterruptedException {
        say("a stager desires three tasks");
        for (String guid : List.of("build-1", "build-2", "build-3")) {
            call(store, new TaskRequest.Desire(guid, "demo", ECHO));
        }

        catchUp(store, watch);
        say("two executors race to claim build-1: one compare-and-swap wins");
        CompletableFuture<Task> a = store.apply(new TaskRequest.Claim("build-1", "cell-a"));
        CompletableFuture<Task> b = store.apply(new TaskRequest.Claim("build-1", "cell-b"));
        CompletableFuture.allOf(a, b).exceptionally(loser -> null).join();
        report("cell-a", a);
        report("cell-b", b);
        String owner = store.get("build-1").join().getExecutorId();

        catchUp(store, watch);
        say(owner + " runs build-1 and reports a result");
        call(store, new TaskRequest.Start("build-1", owner, "container-1"));
        call(store, new TaskRequest.Complete("build-1", owner, false, "", "hello"));

        catchUp(store, watch);
        say("build-2 is cancelled before anyone claims it");
        call(store, new TaskRequest.Cancel("build-2"));

        catchUp(store, watch);
        say("cell-a rejects build-3 (no room); cell-b takes it and it fails");
        call(store, new TaskRequest.Claim("build-3", "cell-a"));
        call(store, new TaskRequest.Reject("build-3", "cell-a", "insufficient memory"));
        call(store, new TaskRequest.Claim("build-3", "cell-b"));
        call(store, new TaskRequest.Complete("build-3", "cell-b", true, "exit status 1", ""));

        catchUp(store, watch);
        say("the stager resolves build-1: resolving (one stager wins), then resolve (compare-and-delete)");
        call(store, new TaskRequest.Resolving("build-1"));
        call(store, new TaskRequest.Resolve("build-1"));
        catchUp(store, watch);
    }

    /** Waits (up to 5 s) until the watch has printed every change so far, so its lines follow their step. */
    private static void catchUp(EtcdTaskStore store, TaskWatch watch) throws InterruptedException {
        long written = store.revision().join();
        for (int waited = 0; watch.lastRevision() < written && waited < 5_000; waited += 5) {
            Thread.sleep(5);
        }
    }

    private void report(String executor, CompletableFuture<Task> claim) {
        try {
            claim.join();
            out.println("    " + executor + ": claimed");
        } catch (CompletionException e) {
            out.println("    " + executor + ": refused — " + e.getCause().getMessage());
        }
    }

    private void call(EtcdTaskStore store, TaskRequest request) {
        try {
            store.apply(request).join();
        } catch (CompletionException e) {
            out.println("    refused: " + e.getCause().getMessage());
        }
    }

    private void say(String step) {
        out.println();
        out.println("» " + step);
    }

    /** Prints each change as the watch delivers it. */
    private final class PrintingSink implements TaskEventSink {
        @Override
        public void onEvent(TaskEvent event) {
            String line = switch (event.getEventCase()) {
                case CREATED -> "created  " + describe(event.getCreated().getTask());
                case CHANGED -> "changed  " + event.getChanged().getBefore().getState() + " -> "
                        + describe(event.getChanged().getAfter());
                case REMOVED -> "removed  " + event.getRemoved().getTask().getGuid();
                default -> "?";
            };
            out.printf("    watch @%-4d %s%n", event.getRevision(), line);
        }

        @Override
        public void onClosed(Optional<Throwable> cause) {
            cause.ifPresent(c -> out.println("    watch ended: " + c));
        }

        private String describe(Task task) {
            String who = task.getExecutorId().isEmpty() ? "" : " on " + task.getExecutorId();
            String outcome = task.getFailed() ? " failed: " + task.getFailureReason()
                    : task.getResult().isEmpty() ? "" : " result: " + task.getResult();
            return task.getGuid() + " " + task.getState() + who + outcome;
        }
    }
}
