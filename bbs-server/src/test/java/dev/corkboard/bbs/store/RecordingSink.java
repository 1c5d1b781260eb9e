package dev.corkboard.bbs.store;

import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

/** Collects a watch's events and builds the view of the table they imply. */
final class RecordingSink implements TaskEventSink {

    final List<TaskEvent> events = new CopyOnWriteArrayList<>();
    final AtomicReference<Optional<Throwable>> closed = new AtomicReference<>();

    @Override
    public void onEvent(TaskEvent event) {
        events.add(event);
    }

    @Override
    public void onClosed(Optional<Throwable> cause) {
        closed.set(cause);
    }

    /** The table as the events describe it: guid → last known task. */
    Map<String, Task> view() {
        Map<String, Task> view = new HashMap<>();
        for (TaskEvent event : events) {
            switch (event.getEventCase()) {
                case CREATED -> view.put(event.getCreated().getTask().getGuid(), event.getCreated().getTask());
                case CHANGED -> view.put(event.getChanged().getAfter().getGuid(), event.getChanged().getAfter());
                case REMOVED -> view.remove(event.getRemoved().getTask().getGuid());
                default -> throw new AssertionError("empty event " + event);
            }
        }
        return view;
    }

    /** "created t1 PENDING", "changed t1 PENDING->CLAIMED", "removed t1" — for readable assertions. */
    List<String> summary() {
        List<String> lines = new ArrayList<>();
        for (TaskEvent event : events) {
            lines.add(switch (event.getEventCase()) {
                case CREATED -> "created " + event.getCreated().getTask().getGuid() + " "
                        + event.getCreated().getTask().getState();
                case CHANGED -> "changed " + event.getChanged().getAfter().getGuid() + " "
                        + (event.getChanged().hasBefore() ? event.getChanged().getBefore().getState() + "->" : "")
                        + event.getChanged().getAfter().getState();
                case REMOVED -> "removed " + event.getRemoved().getTask().getGuid();
                default -> "empty";
            });
        }
        return lines;
    }
}
