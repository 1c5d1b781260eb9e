package dev.corkboard.bbs.callback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.google.protobuf.util.JsonFormat;
import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskCallback;
import dev.corkboard.proto.v1.TaskDefinition;
import dev.corkboard.proto.v1.TaskState;
import org.junit.jupiter.api.Test;

class CallbackBodyTest {

    private static Task completed(boolean failed, String reason) {
        return Task.newBuilder().setGuid("t-1").setDomain("stager.example").setState(TaskState.COMPLETED)
                .setDefinition(TaskDefinition.newBuilder()
                        .setCompletionCallbackUrl("http://stager.example/cb")
                        .setAnnotation("{\"app\":\"demo\"}"))
                .setExecutorId("cell-1").setCreatedAtMs(1_893_456_000_123L).setUpdatedAtMs(1_893_456_009_000L)
                .setFailed(failed).setFailureReason(reason).setResult("42 widgets\n\"quoted\"")
                .build();
    }

    @Test
    void theBodyCarriesTheTaskOutcomeAndParsesBack() throws Exception {
        String json = CallbackBody.json(completed(true, "exit status 3"));

        TaskCallback.Builder parsed = TaskCallback.newBuilder();
        JsonFormat.parser().merge(json, parsed);
        assertEquals(TaskCallback.newBuilder().setTaskGuid("t-1").setFailed(true).setFailureReason("exit status 3")
                .setResult("42 widgets\n\"quoted\"").setAnnotation("{\"app\":\"demo\"}")
                .setCreatedAtMs(1_893_456_000_123L).build(), parsed.build());
    }

    @Test
    void fieldsUseTheProtoNamesAndDefaultsArePrinted() {
        String json = CallbackBody.json(completed(false, ""));

        assertEquals("{\"task_guid\":\"t-1\",\"failed\":false,\"failure_reason\":\"\","
                + "\"result\":\"42 widgets\\n\\\"quoted\\\"\",\"annotation\":\"{\\\"app\\\":\\\"demo\\\"}\","
                + "\"created_at_ms\":\"1893456000123\"}", json);
    }

    @Test
    void nothingBeyondTheOutcomeLeaksIntoTheBody() {
        String json = CallbackBody.json(completed(false, ""));
        assertFalse(json.contains("cell-1") || json.contains("stager.example"), json);
    }
}
