package dev.corkboard.executor.logs;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.corkboard.executor.runtime.LogSink;
import dev.corkboard.proto.v1.LogLine;
import dev.corkboard.proto.v1.LogServiceGrpc;
import dev.corkboard.proto.v1.LogStream;
import dev.corkboard.proto.v1.ReadLogsRequest;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LogService over a loopback port, as cork reaches it at an executor's presence address. */
class LogGrpcServiceTest {

    private static final Instant T0 = Instant.parse("2026-12-02T20:15:01.123Z");

    @TempDir
    Path directory;

    private TaskLogs logs;
    private LogGrpcService service;
    private Server server;
    private ManagedChannel channel;

    @BeforeEach
    void start() throws Exception {
        logs = TaskLogs.start(TaskLogSettings.defaults(directory), new SettableClock(T0));
        service = new LogGrpcService(logs);
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(service).build()
                .start();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        service.close();
        logs.close();
    }

    private List<LogLine> readAll(String guid) {
        List<LogLine> lines = new ArrayList<>();
        LogServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                .readLogs(ReadLogsRequest.newBuilder().setTaskGuid(guid).build()).forEachRemaining(lines::add);
        return lines;
    }

    /** Follows a log on the async stub; the returned observer holds what arrived and how the stream ended. */
    private Following follow(String guid) {
        Following following = new Following(false);
        LogServiceGrpc.newStub(channel).readLogs(
                ReadLogsRequest.newBuilder().setTaskGuid(guid).setFollow(true).build(), following);
        return following;
    }

    static final class Following implements ClientResponseObserver<ReadLogsRequest, LogLine> {
        final List<String> texts = new CopyOnWriteArrayList<>();
        final CompletableFuture<Status> end = new CompletableFuture<>();
        volatile ClientCallStreamObserver<ReadLogsRequest> call;
        /** Asks for the next line only once the last one arrived, as a slow reader would. */
        private final boolean oneLineAtATime;

        Following(boolean oneLineAtATime) {
            this.oneLineAtATime = oneLineAtATime;
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<ReadLogsRequest> requestStream) {
            call = requestStream;
            if (oneLineAtATime) {
                requestStream.disableAutoRequestWithInitial(1);
            }
        }

        @Override
        public void onNext(LogLine line) {
            texts.add(line.getText());
            if (oneLineAtATime) {
                call.request(1);
            }
        }

        @Override
        public void onError(Throwable t) {
            end.complete(Status.fromThrowable(t));
        }

        @Override
        public void onCompleted() {
            end.complete(Status.OK);
        }
    }

    @Test
    void aTaskWithoutALogHereIsNotFound() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> readAll("never-ran"));

        assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
    }

    @Test
    void aGuidThatIsNotATaskGuidIsAnInvalidArgument() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> readAll("../../etc/passwd"));

        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    }

    @Test
    void aFullReadReturnsEveryLineWithItsGuidStreamAndTimestamp() throws Exception {
        try (TaskLog log = logs.open("t-1")) {
            log.executor("container created");
            log.line(LogSink.Stream.STDOUT, "hello\tworld");
            log.line(LogSink.Stream.STDERR, "warning ✓");
        }

        assertEquals(List.of(
                line("t-1", LogStream.EXECUTOR, "container created"),
                line("t-1", LogStream.STDOUT, "hello\tworld"),
                line("t-1", LogStream.STDERR, "warning ✓")), readAll("t-1"));
    }

    @Test
    void aFullReadOfARunningTaskEndsAtWhatItHasWrittenSoFar() throws Exception {
        try (TaskLog log = logs.open("running")) {
            log.line(LogSink.Stream.STDOUT, "so far");
            await().atMost(Duration.ofSeconds(2)).until(() -> readAll("running").size() == 1);
        }
    }

    @Test
    void followStreamsNewLinesAndEndsWhenTheLogFinishes() throws Exception {
        TaskLog log = logs.open("follow");
        log.line(LogSink.Stream.STDOUT, "before");

        Following following = follow("follow");
        await().atMost(Duration.ofSeconds(2)).until(() -> following.texts.contains("before"));
        log.line(LogSink.Stream.STDOUT, "after");
        await().atMost(Duration.ofSeconds(2)).until(() -> following.texts.contains("after"));
        assertFalse(following.end.isDone());
        log.executor("exit status 0");
        log.close();

        assertEquals(Status.Code.OK, following.end.get(2, TimeUnit.SECONDS).getCode());
        assertEquals(List.of("before", "after", "exit status 0"), following.texts);
    }

    @Test
    void aCancelledFollowerStopsReadingTheLog() throws Exception {
        try (TaskLog log = logs.open("forever")) {
            log.line(LogSink.Stream.STDOUT, "tick");
            Following following = follow("forever");
            await().atMost(Duration.ofSeconds(2)).until(() -> following.texts.contains("tick"));
            assertEquals(1, log.followers());

            following.call.cancel("caller pressed Ctrl-C", null);

            await().atMost(Duration.ofSeconds(2)).until(() -> log.followers() == 0);
        }
    }

    @Test
    void aCallerThatReadsSlowlyStillGetsEveryLineOfALargeLogInOrder() throws Exception {
        int count = 20_000;
        try (TaskLog log = logs.open("large")) {
            for (int i = 0; i < count; i++) {
                log.line(LogSink.Stream.STDOUT, "line " + i + " " + "x".repeat(100));
            }
        }
        Following slow = new Following(true);
        LogServiceGrpc.newStub(channel).readLogs(ReadLogsRequest.newBuilder().setTaskGuid("large").build(), slow);

        assertEquals(Status.Code.OK, slow.end.get(30, TimeUnit.SECONDS).getCode());
        assertEquals(count, slow.texts.size());
        for (int i = 0; i < count; i += 997) {
            assertEquals("line " + i + " ", slow.texts.get(i).substring(0, ("line " + i + " ").length()));
        }
    }

    private static LogLine line(String guid, LogStream stream, String text) {
        return LogLine.newBuilder().setTaskGuid(guid).setTimestampMs(T0.toEpochMilli()).setStream(stream)
                .setText(text).build();
    }
}
