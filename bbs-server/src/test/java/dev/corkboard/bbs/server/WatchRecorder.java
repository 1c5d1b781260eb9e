package dev.corkboard.bbs.server;

import dev.corkboard.proto.v1.ResyncRequired;
import dev.corkboard.proto.v1.TaskEvent;
import dev.corkboard.proto.v1.TaskServiceGrpc;
import dev.corkboard.proto.v1.WatchTasksRequest;
import dev.corkboard.proto.v1.WatchTasksResponse;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/** A WatchTasks caller that records what it is sent and how the stream ended. */
final class WatchRecorder implements ClientResponseObserver<WatchTasksRequest, WatchTasksResponse> {

    final List<TaskEvent> events = new CopyOnWriteArrayList<>();
    final CompletableFuture<Status> ended = new CompletableFuture<>();
    volatile Optional<ResyncRequired> resync = Optional.empty();
    private final boolean reads;
    private volatile ClientCallStreamObserver<WatchTasksRequest> call;

    private WatchRecorder(boolean reads) {
        this.reads = reads;
    }

    /** Watches after {@code revision}, reading every event as it comes. */
    static WatchRecorder watch(Channel channel, long revision) {
        return start(channel, revision, true);
    }

    /** Watches after {@code revision} but reads nothing until {@link #read(int)}. */
    static WatchRecorder watchWithoutReading(Channel channel, long revision) {
        return start(channel, revision, false);
    }

    private static WatchRecorder start(Channel channel, long revision, boolean reads) {
        WatchRecorder recorder = new WatchRecorder(reads);
        TaskServiceGrpc.newStub(channel).watchTasks(
                WatchTasksRequest.newBuilder().setAfterRevision(revision).build(), recorder);
        return recorder;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<WatchTasksRequest> requestStream) {
        call = requestStream;
        if (!reads) {
            requestStream.disableAutoRequestWithInitial(0);
        }
    }

    void read(int messages) {
        call.request(messages);
    }

    void cancel() {
        call.cancel("the test is done watching", null);
    }

    /** The revision of the last event received; a caller resumes after it. */
    long lastRevision() {
        return events.isEmpty() ? 0 : events.get(events.size() - 1).getRevision();
    }

    List<String> createdGuids() {
        return events.stream().filter(TaskEvent::hasCreated).map(e -> e.getCreated().getTask().getGuid()).toList();
    }

    @Override
    public void onNext(WatchTasksResponse response) {
        if (response.hasEvent()) {
            events.add(response.getEvent());
        } else if (response.hasResyncRequired()) {
            resync = Optional.of(response.getResyncRequired());
        }
    }

    @Override
    public void onError(Throwable failure) {
        ended.complete(Status.fromThrowable(failure));
    }

    @Override
    public void onCompleted() {
        ended.complete(Status.OK);
    }
}
