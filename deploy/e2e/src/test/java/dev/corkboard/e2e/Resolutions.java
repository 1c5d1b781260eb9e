package dev.corkboard.e2e;

import dev.corkboard.proto.v1.Task;
import dev.corkboard.stager.CompletionHandler;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The stager's side of the tests: every completed task a {@link dev.corkboard.stager.CompletionListener} handed over,
 * kept per guid, so a test can see that each task reached a stager exactly once and with which outcome.
 */
final class Resolutions implements CompletionHandler {

    private final Map<String, List<Task>> handled = new ConcurrentHashMap<>();

    @Override
    public void handle(Task completed) {
        handled.computeIfAbsent(completed.getGuid(), guid -> new CopyOnWriteArrayList<>()).add(completed);
    }

    /** How many times a handler got this task. */
    int times(String guid) {
        return handled.getOrDefault(guid, List.of()).size();
    }

    /** The task as the first handler got it, completed. */
    Task outcome(String guid) {
        List<Task> tasks = handled.get(guid);
        if (tasks == null) {
            throw new AssertionError("task " + guid + " never reached a stager");
        }
        return tasks.get(0);
    }

    /** How many distinct tasks reached a stager. */
    int count() {
        return handled.size();
    }
}
