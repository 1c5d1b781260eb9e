package dev.corkboard.bbs.executors;

import dev.corkboard.proto.v1.Task;
import io.grpc.Status;

/**
 * How one ClaimNext call is answered: exactly one method is called, once, from any thread, unless the caller went
 * away first.
 */
public interface ClaimReply {

    /** A task claimed for the caller. */
    void claimed(Task task);

    /** Nothing fitted within the wait. */
    void empty();

    /** The call failed: {@code UNAVAILABLE} (etcd unreachable, replica shutting down), {@code RESOURCE_EXHAUSTED}. */
    void failed(Status status);
}
