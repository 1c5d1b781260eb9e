package dev.corkboard.bench;

import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A unary call on an async gRPC stub as a {@link CompletableFuture}, so that the simulated stagers and executors
 * chain their calls on completion and hold no thread per call in flight. Completes on the channel's executor.
 */
final class Unary<T> implements StreamObserver<T> {

    private final CompletableFuture<T> future = new CompletableFuture<>();
    private T response;

    private Unary() {}

    /** Starts {@code call} with an observer and returns its answer to come. */
    static <T> CompletableFuture<T> call(Consumer<StreamObserver<T>> call) {
        Unary<T> unary = new Unary<>();
        try {
            call.accept(unary);
        } catch (RuntimeException e) {
            unary.future.completeExceptionally(e);
        }
        return unary.future;
    }

    @Override
    public void onNext(T value) {
        response = value;
    }

    @Override
    public void onError(Throwable failure) {
        future.completeExceptionally(failure);
    }

    @Override
    public void onCompleted() {
        future.complete(response);
    }
}
