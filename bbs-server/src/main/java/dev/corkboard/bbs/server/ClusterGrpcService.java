package dev.corkboard.bbs.server;

import dev.corkboard.bbs.store.ConvergerStatusReader;
import dev.corkboard.proto.v1.ClusterServiceGrpc;
import dev.corkboard.proto.v1.GetConvergerStatusRequest;
import dev.corkboard.proto.v1.GetConvergerStatusResponse;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

/**
 * {@code corkboard.v1.ClusterService}: the converger's current leader and last status, read from etcd on every call
 * (no replica caches them, so any replica answers the same). Failures are mapped by {@link ErrorStatus}: etcd not
 * answering within the request timeout is {@code UNAVAILABLE}, an unreadable status record {@code DATA_LOSS}.
 */
final class ClusterGrpcService extends ClusterServiceGrpc.ClusterServiceImplBase {

    private final ConvergerStatusReader reader;

    ClusterGrpcService(ConvergerStatusReader reader) {
        this.reader = reader;
    }

    @Override
    public void getConvergerStatus(GetConvergerStatusRequest request,
            StreamObserver<GetConvergerStatusResponse> observer) {
        ServerCallStreamObserver<GetConvergerStatusResponse> server =
                (ServerCallStreamObserver<GetConvergerStatusResponse>) observer;
        reader.read().whenComplete((view, failure) -> {
            if (server.isCancelled()) {
                return;
            }
            if (failure != null) {
                observer.onError(ErrorStatus.exception(failure, ""));
                return;
            }
            GetConvergerStatusResponse.Builder response = GetConvergerStatusResponse.newBuilder()
                    .setRevision(view.revision());
            view.status().ifPresent(response::setStatus);
            view.currentLeaderId().ifPresent(response::setCurrentLeaderId);
            observer.onNext(response.build());
            observer.onCompleted();
        });
    }
}
