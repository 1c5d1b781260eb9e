package dev.corkboard.bbs.store;

import dev.corkboard.proto.v1.TaskEvent;
import java.util.Optional;

/** Receives a {@link TaskWatch}'s events, one at a time, in revision order, on the watch's own thread. */
public interface TaskEventSink {

    void onEvent(TaskEvent event);

    /**
     * The watch ended and sends nothing more. The cause is empty when the watch was closed by its owner; otherwise it
     * is a {@link ResyncRequiredException} (re-list, then watch again from the listing's revision), a
     * {@link SlowConsumerException}, or what this sink threw.
     */
    void onClosed(Optional<Throwable> cause);
}
