package dev.corkboard.executor.agent;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Context;
import io.grpc.HandlerRegistry;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A gRPC proxy between an agent and a BBS that forwards every call as bytes, except calls of the methods named
 * unreachable ({@code "StartTask"}, {@code "CompleteTask"}, …), which it fails with UNAVAILABLE as if no BBS answered.
 * It counts the calls of each method it saw.
 */
final class BbsFaultProxy implements AutoCloseable {

    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    private final ManagedChannel upstream;
    private final Server server;
    private final Set<String> unreachable = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<String, Status> refused = new ConcurrentHashMap<>();
    private final Set<String> breakAfterFirstAnswer = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<String, AtomicInteger> calls = new ConcurrentHashMap<>();

    BbsFaultProxy(String bbsTarget) {
        upstream = ManagedChannelBuilder.forTarget(bbsTarget).usePlaintext().build();
        try {
            server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                    .fallbackHandlerRegistry(new Registry()).build().start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String endpoint() {
        return "127.0.0.1:" + server.getPort();
    }

    void unreachable(String... methods) {
        unreachable.addAll(Set.of(methods));
    }

    void reachable(String... methods) {
        unreachable.removeAll(Set.of(methods));
    }

    /** Calls of this method are answered with {@code status}, as if the BBS had refused them. */
    void refuse(String method, Status status) {
        refused.put(method, status);
    }

    /** Streams of these methods break (UNAVAILABLE) right after their first message reached the caller. */
    void breakAfterFirstAnswer(String... methods) {
        breakAfterFirstAnswer.addAll(Set.of(methods));
    }

    int calls(String method) {
        AtomicInteger count = calls.get(method);
        return count == null ? 0 : count.get();
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow();
        upstream.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
        upstream.awaitTermination(5, TimeUnit.SECONDS);
    }

    private final class Registry extends HandlerRegistry {
        @Override
        public ServerMethodDefinition<?, ?> lookupMethod(String methodName, String authority) {
            MethodDescriptor<byte[], byte[]> method = MethodDescriptor.<byte[], byte[]>newBuilder()
                    .setFullMethodName(methodName).setType(MethodDescriptor.MethodType.UNKNOWN)
                    .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
            return ServerMethodDefinition.create(method, new Forward(method));
        }
    }

    private final class Forward implements ServerCallHandler<byte[], byte[]> {
        private final MethodDescriptor<byte[], byte[]> method;

        Forward(MethodDescriptor<byte[], byte[]> method) {
            this.method = method;
        }

        @Override
        public ServerCall.Listener<byte[]> startCall(ServerCall<byte[], byte[]> serverCall, Metadata headers) {
            String name = method.getBareMethodName();
            calls.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
            if (unreachable.contains(name)) {
                serverCall.close(Status.UNAVAILABLE.withDescription("proxy: no BBS for " + name), new Metadata());
                return new ServerCall.Listener<>() {};
            }
            Status refusal = refused.get(name);
            if (refusal != null) {
                serverCall.close(refusal, new Metadata());
                return new ServerCall.Listener<>() {};
            }
            CallOptions options = CallOptions.DEFAULT;
            if (Context.current().getDeadline() != null) {
                options = options.withDeadline(Context.current().getDeadline());
            }
            ClientCall<byte[], byte[]> clientCall = upstream.newCall(method, options);
            clientCall.start(new ClientCall.Listener<>() {
                @Override
                public void onHeaders(Metadata upstreamHeaders) {
                    serverCall.sendHeaders(upstreamHeaders);
                }

                @Override
                public void onMessage(byte[] message) {
                    serverCall.sendMessage(message);
                    if (breakAfterFirstAnswer.contains(name)) {
                        clientCall.cancel("proxy: breaking the stream", null);
                    }
                }

                @Override
                public void onClose(Status status, Metadata trailers) {
                    try {
                        serverCall.close(status.getCode() == Status.Code.CANCELLED
                                ? Status.UNAVAILABLE.withDescription("proxy: stream broken") : status, trailers);
                    } catch (IllegalStateException e) {
                        // the caller went away first
                    }
                }
            }, headers);
            clientCall.request(Integer.MAX_VALUE);
            serverCall.request(Integer.MAX_VALUE);
            return new ServerCall.Listener<>() {
                @Override
                public void onMessage(byte[] message) {
                    clientCall.sendMessage(message);
                }

                @Override
                public void onHalfClose() {
                    clientCall.halfClose();
                }

                @Override
                public void onCancel() {
                    clientCall.cancel("the caller cancelled", null);
                }
            };
        }
    }
}
