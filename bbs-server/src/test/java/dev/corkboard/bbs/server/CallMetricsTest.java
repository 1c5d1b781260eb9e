package dev.corkboard.bbs.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.corkboard.proto.v1.GetTaskRequest;
import dev.corkboard.proto.v1.ListTasksRequest;
import dev.corkboard.proto.v1.ListTasksResponse;
import dev.corkboard.proto.v1.TaskResponse;
import dev.corkboard.proto.v1.TaskServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.slf4j.LoggerFactory;

/** The interceptor on its own (in-process transport): what it times and what it puts in the MDC. */
class CallMetricsTest {

    private static final org.slf4j.Logger handlerLog = LoggerFactory.getLogger("corkboard.test.handler");

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private Server server;
    private ManagedChannel channel;

    /** Logs from inside the handler, as real handlers do, and answers GetTask for "missing" with NOT_FOUND. */
    private static final class LoggingService extends TaskServiceGrpc.TaskServiceImplBase {
        @Override
        public void getTask(GetTaskRequest request, StreamObserver<TaskResponse> observer) {
            handlerLog.info("handling");
            if (request.getGuid().equals("missing")) {
                observer.onError(Status.NOT_FOUND.asRuntimeException());
                return;
            }
            observer.onNext(TaskResponse.getDefaultInstance());
            observer.onCompleted();
        }

        @Override
        public void listTasks(ListTasksRequest request, StreamObserver<ListTasksResponse> observer) {
            handlerLog.info("listing");
            observer.onNext(ListTasksResponse.getDefaultInstance());
            observer.onCompleted();
        }
    }

    @BeforeEach
    void start() throws Exception {
        String name = InProcessServerBuilder.generateName();
        server = InProcessServerBuilder.forName(name).directExecutor()
                .addService(ServerInterceptors.intercept(new LoggingService(), new CallMetrics(registry)))
                .build().start();
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
        logged.start();
        ((Logger) handlerLog).addAppender(logged);
    }

    @AfterEach
    void stop() {
        ((Logger) handlerLog).detachAppender(logged);
        channel.shutdownNow();
        server.shutdownNow();
    }

    @Test
    void theHandlerLogsWithTheRequestsTaskGuidInTheMdcAndWithoutOneForOtherCalls() {
        var tasks = TaskServiceGrpc.newBlockingStub(channel);
        tasks.getTask(GetTaskRequest.newBuilder().setGuid("t-42").build());
        tasks.listTasks(ListTasksRequest.getDefaultInstance());

        assertEquals(Map.of(CallMetrics.TASK_GUID, "t-42"), logged.list.get(0).getMDCPropertyMap());
        assertEquals(Map.of(), logged.list.get(1).getMDCPropertyMap());
    }

    @Test
    void eachCallIsCountedByMethodAndStatusCode() {
        var tasks = TaskServiceGrpc.newBlockingStub(channel);
        tasks.getTask(GetTaskRequest.newBuilder().setGuid("t1").build());
        tasks.getTask(GetTaskRequest.newBuilder().setGuid("t2").build());
        Executable missing = () -> tasks.getTask(GetTaskRequest.newBuilder().setGuid("missing").build());
        org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class, missing);

        String method = "corkboard.v1.TaskService/GetTask";
        assertEquals(2, registry.get(CallMetrics.TIMER).tag("method", method).tag("code", "OK").timer().count());
        assertEquals(1, registry.get(CallMetrics.TIMER).tag("method", method).tag("code", "NOT_FOUND").timer()
                .count());
    }
}
