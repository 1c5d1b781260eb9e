package dev.corkboard.bench;

import dev.corkboard.proto.v1.ListTasksRequest;
import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskEvent;
import dev.corkboard.proto.v1.TaskState;
import dev.corkboard.proto.v1.WatchTasksResponse;
import dev.corkboard.stager.StagerClient;
import io.grpc.Context;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Follows the BBS's task watch on a thread of its own and hands each completion to whoever expects that task, so the
 * benchmark learns of a completion when a stager would, without polling. A completion is a change whose record after
 * it is {@code COMPLETED}; every other event is ignored.
 *
 * <p>The watch starts after the revision of a listing made in {@link #start}, so a task desired after {@code start}
 * returns cannot complete unseen. When the stream breaks or ends (the BBS went away) the watch does not resume: the
 * benchmark's figures would no longer mean what they say, so {@link #failure()} reports why and callers stop.
 */
final class CompletionWatch implements AutoCloseable {

    private final Map<String, Consumer<Task>> expected = new ConcurrentHashMap<>();
    private final Context.CancellableContext context = Context.current().withCancellation();
    private final Thread thread;
    private volatile Optional<String> failure = Optional.empty();

    private CompletionWatch(StagerClient client, long afterRevision) {
        thread = new Thread(() -> follow(client, afterRevision), "corkboard-bench-watch");
        thread.setDaemon(true);
    }

    static CompletionWatch start(StagerClient client) {
        long revision = client.listPage(ListTasksRequest.newBuilder().setPageSize(1).build()).getRevision();
        CompletionWatch watch = new CompletionWatch(client, revision);
        watch.thread.start();
        return watch;
    }

    /** Calls {@code onCompleted} (on the watch thread) once, when the task {@code guid} is seen completed. */
    void expect(String guid, Consumer<Task> onCompleted) {
        expected.put(guid, onCompleted);
    }

    /** No longer calls back for {@code guid}: its desire failed or the caller gave up on it. */
    void forget(String guid) {
        expected.remove(guid);
    }

    /** Why the watch stopped, once it has. */
    Optional<String> failure() {
        return failure;
    }

    private void follow(StagerClient client, long afterRevision) {
        try {
            context.run(() -> {
                Iterator<WatchTasksResponse> responses = client.watch(afterRevision);
                while (responses.hasNext()) {
                    WatchTasksResponse response = responses.next();
                    if (response.hasResyncRequired()) {
                        failure = Optional.of("the BBS no longer holds revision "
                                + response.getResyncRequired().getRequestedRevision() + " of the task watch");
                        return;
                    }
                    completed(response.getEvent()).ifPresent(this::deliver);
                }
                failure = Optional.of("the BBS ended the task watch");
            });
        } catch (RuntimeException e) {
            if (!context.isCancelled()) {
                failure = Optional.of("the task watch broke: " + e);
            }
        }
    }

    private static Optional<Task> completed(TaskEvent event) {
        if (event.getEventCase() != TaskEvent.EventCase.CHANGED) {
            return Optional.empty();
        }
        Task after = event.getChanged().getAfter();
        return after.getState() == TaskState.COMPLETED ? Optional.of(after) : Optional.empty();
    }

    private void deliver(Task task) {
        Consumer<Task> onCompleted = expected.remove(task.getGuid());
        if (onCompleted != null) {
            onCompleted.accept(task);
        }
    }

    @Override
    public void close() throws InterruptedException {
        context.cancel(null);
        thread.join(5_000);
    }
}
