package dev.corkboard.bbs.callback;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskCallback;

/**
 * The JSON body POSTed to a callback URL: a {@link TaskCallback} in proto3 JSON with the proto field names
 * ({@code task_guid}, {@code failed}, {@code failure_reason}, {@code result}, {@code annotation},
 * {@code created_at_ms}). Every field is printed, defaults included, so a receiver never has to know that an absent
 * {@code failed} means false; {@code created_at_ms} is a string, as proto3 JSON prints every int64. Pure.
 */
final class CallbackBody {

    private static final JsonFormat.Printer PRINTER = JsonFormat.printer()
            .preservingProtoFieldNames()
            .alwaysPrintFieldsWithNoPresence()
            .omittingInsignificantWhitespace();

    private CallbackBody() {}

    static TaskCallback of(Task task) {
        return TaskCallback.newBuilder()
                .setTaskGuid(task.getGuid())
                .setFailed(task.getFailed())
                .setFailureReason(task.getFailureReason())
                .setResult(task.getResult())
                .setAnnotation(task.getDefinition().getAnnotation())
                .setCreatedAtMs(task.getCreatedAtMs())
                .build();
    }

    static String json(Task task) {
        try {
            return PRINTER.print(of(task));
        } catch (InvalidProtocolBufferException e) {
            // only Any fields with unknown types fail to print, and TaskCallback has none
            throw new IllegalStateException("cannot print the callback of task " + task.getGuid(), e);
        }
    }
}
