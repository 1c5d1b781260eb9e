package dev.corkboard.bbs.server;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.MDC;

/**
 * Records every RPC in the timer {@code corkboard.grpc.server.calls} tagged with {@code method} (the full gRPC method
 * name) and {@code code} (the status code it ended with, {@code CANCELLED} when the caller went away), so the count
 * and the latency come from one meter. While the call's handler runs on a gRPC thread, the task guid of a request that
 * has one is in the logging MDC under {@link #TASK_GUID}.
 */
public final class CallMetrics implements ServerInterceptor {

    /** MDC key of the task a log line is about. */
    public static final String TASK_GUID = "task_guid";
    public static final String TIMER = "corkboard.grpc.server.calls";
    /** Gauge of calls started and not yet ended. */
    public static final String ACTIVE = "corkboard.grpc.server.calls.active";

    /**
     * The {@code guid} field of each request type, looked up once: finding a field by name on every message showed in
     * profiles of the hot path. Request types are a small closed set, so the map stays small.
     */
    private static final Map<Descriptor, Optional<FieldDescriptor>> GUID_FIELDS = new ConcurrentHashMap<>();

    private final MeterRegistry registry;
    private final AtomicInteger active = new AtomicInteger();
    /**
     * The timer of each method and status code, built once: a builder and a registry look-up per call cost more than
     * the recording itself. Methods and codes are closed sets, so the map stays small.
     */
    private final Map<String, Map<Status.Code, Timer>> timers = new ConcurrentHashMap<>();

    public CallMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder(ACTIVE, active, AtomicInteger::get)
                .description("gRPC calls in progress, watch streams included")
                .register(registry);
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        Recorder recorder = new Recorder(call.getMethodDescriptor().getFullMethodName(), System.nanoTime());
        active.incrementAndGet();
        ServerCall<Q, R> recorded = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                recorder.record(status.getCode());
                super.close(status, trailers);
            }
        };
        return new GuidInContext<>(next.startCall(recorded, headers), recorder);
    }

    /** Records a call once, whichever of close or cancel comes first. */
    private final class Recorder {
        private final String method;
        private final long startNanos;
        private final AtomicBoolean recorded = new AtomicBoolean();
        private volatile String guid = "";

        Recorder(String method, long startNanos) {
            this.method = method;
            this.startNanos = startNanos;
        }

        void record(Status.Code code) {
            if (recorded.compareAndSet(false, true)) {
                active.decrementAndGet();
                timer(method, code).record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
            }
        }
    }

    private Timer timer(String method, Status.Code code) {
        return timers.computeIfAbsent(method, m -> new ConcurrentHashMap<>())
                .computeIfAbsent(code, c -> Timer.builder(TIMER)
                        .description("gRPC calls served, by method and status code")
                        .tag("method", method)
                        .tag("code", c.name())
                        .register(registry));
    }

    /** Puts the request's task guid into the MDC around every callback that may run the handler. */
    private static final class GuidInContext<Q> extends ForwardingServerCallListener.SimpleForwardingServerCallListener<Q> {
        private final Recorder recorder;

        GuidInContext(ServerCall.Listener<Q> delegate, Recorder recorder) {
            super(delegate);
            this.recorder = recorder;
        }

        @Override
        public void onMessage(Q message) {
            recorder.guid = guidOf(message);
            withGuid(() -> super.onMessage(message));
        }

        @Override
        public void onHalfClose() {
            withGuid(super::onHalfClose);
        }

        @Override
        public void onCancel() {
            recorder.record(Status.Code.CANCELLED);
            withGuid(super::onCancel);
        }

        @Override
        public void onComplete() {
            withGuid(super::onComplete);
        }

        @Override
        public void onReady() {
            withGuid(super::onReady);
        }

        private void withGuid(Runnable callback) {
            String guid = recorder.guid;
            if (guid.isEmpty()) {
                callback.run();
                return;
            }
            MDC.put(TASK_GUID, guid);
            try {
                callback.run();
            } finally {
                MDC.remove(TASK_GUID);
            }
        }
    }

    /** The {@code guid} field of a protobuf request, or empty for requests about no single task. */
    static String guidOf(Object message) {
        if (message instanceof Message proto) {
            Optional<FieldDescriptor> field = GUID_FIELDS.computeIfAbsent(proto.getDescriptorForType(),
                    type -> Optional.ofNullable(type.findFieldByName("guid"))
                            .filter(guid -> guid.getJavaType() == FieldDescriptor.JavaType.STRING));
            if (field.isPresent()) {
                return (String) proto.getField(field.get());
            }
        }
        return "";
    }
}
