package dev.corkboard.bbs.state;

import static dev.corkboard.bbs.state.TaskFixtures.DOMAIN;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static dev.corkboard.bbs.state.TaskFixtures.GUID;
import static dev.corkboard.bbs.state.TaskFixtures.HANDLE;
import static dev.corkboard.bbs.state.TaskFixtures.NOW;
import static dev.corkboard.bbs.state.TaskFixtures.OWNER;
import static dev.corkboard.bbs.state.TaskFixtures.decide;
import static dev.corkboard.bbs.state.TaskFixtures.decideAbsent;
import static dev.corkboard.bbs.state.TaskFixtures.definition;
import static dev.corkboard.bbs.state.TaskFixtures.invalidRequest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.corkboard.proto.v1.EnvironmentVariable;
import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskDefinition;
import dev.corkboard.proto.v1.TaskState;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Requests are checked field by field before the state machine looks at the task; refusals name the field. */
class TaskValidationTest {

    private static final int KIB = 1024;

    // ---- guids and executor ids

    /** The character loop and the documented pattern agree, on edge lengths and on seeded random strings. */
    @Test
    void identifierCheckAgreesWithItsPattern() {
        Random random = new Random(20261203);
        String alphabet = "azAZ09_-./ é\u0000";
        List<String> samples = new ArrayList<>(List.of("", "a".repeat(128), "a".repeat(129), "-", "_", "A-9_z"));
        for (int i = 0; i < 5_000; i++) {
            StringBuilder value = new StringBuilder();
            int length = random.nextInt(4) == 0 ? 120 + random.nextInt(16) : random.nextInt(6);
            for (int j = 0; j < length; j++) {
                value.append(random.nextInt(8) == 0 ? alphabet.charAt(random.nextInt(alphabet.length()))
                        : (char) ('a' + random.nextInt(26)));
            }
            samples.add(value.toString());
        }
        for (String sample : samples) {
            assertEquals(TaskValidation.IDENTIFIER.matcher(sample).matches(), TaskValidation.isIdentifier(sample),
                    "'" + sample + "'");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a/b", "a b", "tâche", "日本", "abc\n", "a.b", "a:b", "../etc"})
    void aMalformedGuidIsRefusedNamingTheGuidField(String guid) {
        assertEquals("guid", fieldOf(new TaskRequest.Cancel(guid)));
    }

    @Test
    void aGuidOf129CharactersIsRefused() {
        assertEquals("guid", fieldOf(new TaskRequest.Resolve("g".repeat(129))));
    }

    @Test
    void aGuidOfExactly128CharactersIsAccepted() {
        String guid = ("aZ09_-" + "x".repeat(122));
        assertEquals(128, guid.length());

        assertEquals(Optional.empty(), TaskValidation.check(new TaskRequest.Desire(guid, DOMAIN, definition())));
    }

    @Test
    void aMissingGuidIsRefused() {
        assertEquals(new TaskError.InvalidRequest("guid", "is required"),
                TaskValidation.check(new TaskRequest.Resolving(null)).orElseThrow());
    }

    static Stream<Arguments> executorCallsWithExecutor() {
        return Stream.of("", "exec/1", "exec 1", "exécuteur", "e".repeat(129)).flatMap(id -> Stream.of(
                Arguments.of(new TaskRequest.Claim(GUID, id)),
                Arguments.of(new TaskRequest.Start(GUID, id, HANDLE)),
                Arguments.of(new TaskRequest.Reject(GUID, id, "busy")),
                Arguments.of(new TaskRequest.Complete(GUID, id, false, "", "ok"))));
    }

    @ParameterizedTest
    @MethodSource("executorCallsWithExecutor")
    void anExecutorCallWithAMissingOrMalformedExecutorIdIsRefused(TaskRequest request) {
        assertEquals("executor_id", fieldOf(request));
    }

    @Test
    void aNullExecutorIdIsRefusedAsRequired() {
        assertEquals(new TaskError.InvalidRequest("executor_id", "is required"),
                TaskValidation.check(new TaskRequest.Claim(GUID, null)).orElseThrow());
    }

    // ---- desire

    @ParameterizedTest
    @ValueSource(strings = {"", "a/b", "a b"})
    void aMissingOrMalformedDomainIsRefused(String domain) {
        assertEquals("domain", fieldOf(new TaskRequest.Desire(GUID, domain, definition())));
    }

    @Test
    void aReverseDnsDomainIsAccepted() {
        var request = new TaskRequest.Desire(GUID, "com.example.ci", definition());

        assertEquals(Optional.empty(), TaskValidation.check(request));
    }

    @Test
    void aMissingDefinitionIsRefused() {
        assertEquals("definition", fieldOf(new TaskRequest.Desire(GUID, DOMAIN, null)));
        assertEquals("definition", fieldOf(new TaskRequest.Desire(GUID, DOMAIN, TaskDefinition.getDefaultInstance())));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   "})
    void aMissingCommandPathIsRefused(String path) {
        assertEquals("definition.command.path", fieldOfDefinition(d -> d.setCommand(d.getCommand().toBuilder()
                .setPath(path))));
    }

    static Stream<Arguments> negativeLimits() {
        return Stream.of(
                negative("definition.resources.memory_mb", d -> d.setResources(d.getResources().toBuilder()
                        .setMemoryMb(-1))),
                negative("definition.resources.disk_mb", d -> d.setResources(d.getResources().toBuilder()
                        .setDiskMb(-1))),
                negative("definition.resources.cpu_weight", d -> d.setResources(d.getResources().toBuilder()
                        .setCpuWeight(-1))),
                negative("definition.resources.max_pids", d -> d.setResources(d.getResources().toBuilder()
                        .setMaxPids(Integer.MIN_VALUE))),
                negative("definition.timeout_ms", d -> d.setTimeoutMs(-1)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("negativeLimits")
    void aNegativeLimitIsRefusedNamingItsExactField(String field, UnaryOperator<TaskDefinition.Builder> edit) {
        assertEquals(field, fieldOfDefinition(edit));
    }

    @Test
    void zeroLimitsMeanTheExecutorsDefaultsAndAreAccepted() {
        TaskDefinition zeros = definition().toBuilder().clearResources().setTimeoutMs(0).build();

        assertEquals(Optional.empty(), TaskValidation.check(new TaskRequest.Desire(GUID, DOMAIN, zeros)));
    }

    @Test
    void anAnnotationOfExactly10KibIsAccepted() {
        assertEquals(Optional.empty(), checkDefinition(d -> d.setAnnotation("a".repeat(10 * KIB))));
    }

    @Test
    void anAnnotationOneByteOver10KibIsRefused() {
        assertEquals("definition.annotation", fieldOfDefinition(d -> d.setAnnotation("a".repeat(10 * KIB + 1))));
    }

    @Test
    void anAnnotationIsMeasuredInUtf8BytesNotCharacters() {
        // 3414 characters but 10,242 bytes
        assertEquals("definition.annotation", fieldOfDefinition(d -> d.setAnnotation("日".repeat(3414))));
    }

    @Test
    void aDefinitionOver256KibIsRefusedEvenWhenItsAnnotationIsWithinLimits() {
        UnaryOperator<TaskDefinition.Builder> manyLargeArgs = d -> {
            d.setAnnotation("a".repeat(10 * KIB));
            for (int i = 0; i < 30; i++) {
                d.setCommand(d.getCommand().toBuilder().addArgs("x".repeat(10 * KIB)));
            }
            return d;
        };

        assertEquals("definition", fieldOfDefinition(manyLargeArgs));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://stager.example/done", "mailto:ops@example.com", "http:/no-host", "not a url",
            "/callbacks/task-1", "file:///tmp/x", "https://"})
    void aCallbackUrlThatIsNotAbsoluteHttpIsRefused(String url) {
        assertEquals("definition.completion_callback_url", fieldOfDefinition(d -> d.setCompletionCallbackUrl(url)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://stager:8080/done", "https://stager.example/callbacks?task=1", "",
        "HTTP://stager/done", "http://stager_1:8080/done"})
    void anHttpCallbackUrlOrNoneIsAccepted(String url) {
        assertEquals(Optional.empty(), checkDefinition(d -> d.setCompletionCallbackUrl(url)));
    }

    @Test
    void anEnvironmentVariableNameWithAnEqualsSignIsRefusedByIndex() {
        assertEquals("definition.command.env[1].name", fieldOfDefinition(d -> d.setCommand(d.getCommand()
                .toBuilder().addEnv(env("OK")).addEnv(env("A=B")))));
    }

    @Test
    void aBlankPlacementTagIsRefusedByIndex() {
        assertEquals("definition.placement_tags[1]", fieldOfDefinition(d -> d.addPlacementTags("gpu")
                .addPlacementTags(" ")));
    }

    @Test
    void aRuntimeThatIsNoRuntimeNameIsRefused() {
        assertEquals("definition.runtime", fieldOfDefinition(d -> d.setRuntime("Sand Box")));
    }

    @Test
    void aNamedRuntimeIsAccepted() {
        assertTrue(TaskValidation.check(new TaskRequest.Desire(GUID, DOMAIN, definition().toBuilder()
                .setRuntime("sandbox").build())).isEmpty());
    }

    // ---- executor and operator calls

    @Test
    void startWithoutAContainerHandleIsRefused() {
        assertEquals("container_handle", fieldOf(new TaskRequest.Start(GUID, OWNER, "")));
    }

    @Test
    void rejectAndFailWithoutAReasonAreRefused() {
        assertEquals("reason", fieldOf(new TaskRequest.Reject(GUID, OWNER, " ")));
        assertEquals("reason", fieldOf(new TaskRequest.Fail(GUID, "")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  \t"})
    void completeAsFailedWithABlankFailureReasonIsRefused(String reason) {
        assertEquals("failure_reason", fieldOf(new TaskRequest.Complete(GUID, OWNER, true, reason, "")));
    }

    @Test
    void completeAsSucceededNeedsNoFailureReason() {
        assertEquals(Optional.empty(), TaskValidation.check(new TaskRequest.Complete(GUID, OWNER, false, "", "")));
    }

    @Test
    void aResultOfExactly10KibIsAccepted() {
        assertEquals(Optional.empty(), TaskValidation.check(complete("r".repeat(10 * KIB))));
    }

    @Test
    void aResultOver10KibIsRefused() {
        assertEquals("result", fieldOf(complete("r".repeat(10 * KIB + 1))));
        assertEquals("result", fieldOf(complete("é".repeat(5 * KIB + 1))));
    }

    // ---- through decide: validation first, never a write

    @Test
    void anInvalidRequestIsRefusedAsInvalidEvenWhenTheTaskDoesNotExist() {
        assertEquals("executor_id", invalidRequest(decideAbsent(new TaskRequest.Claim(GUID, "bad id"))).field());
        assertEquals("definition.resources.memory_mb", invalidRequest(decideAbsent(new TaskRequest.Desire(GUID,
                DOMAIN, definition().toBuilder().setResources(definition().getResources().toBuilder()
                        .setMemoryMb(-5)).build()))).field());
    }

    @Test
    void anInvalidRepeatOfACompletionIsRefusedAsInvalidNotAsUnchanged() {
        Task completed = TaskFixtures.completed();

        assertEquals("result", invalidRequest(decide(completed, complete("r".repeat(20 * KIB)))).field());
    }

    static final List<TaskRequest> INVALID_REQUESTS = List.of(
            new TaskRequest.Desire(GUID, "", definition()),
            new TaskRequest.Desire("bad/guid", DOMAIN, definition()),
            new TaskRequest.Claim(GUID, ""),
            new TaskRequest.Start(GUID, OWNER, ""),
            new TaskRequest.Reject(GUID, OWNER, ""),
            new TaskRequest.Complete(GUID, OWNER, true, "", ""),
            new TaskRequest.Cancel("a b"),
            new TaskRequest.Fail(GUID, ""),
            new TaskRequest.Resolving(""),
            new TaskRequest.Resolve("x".repeat(200)),
            new TaskRequest.Kick("tasks/1"),
            new TaskRequest.DemoteClaim(""),
            new TaskRequest.DemoteResolving("é"),
            new TaskRequest.Expire("y".repeat(129)));

    @ParameterizedTest
    @EnumSource(value = TaskState.class, names = {"PENDING", "CLAIMED", "RUNNING", "COMPLETED", "RESOLVING"})
    void aRefusedInvalidRequestNeverYieldsAWriteInAnyState(TaskState state) {
        Task stored = TaskFixtures.inState(state);
        for (TaskRequest request : INVALID_REQUESTS) {
            Decision decision = new TaskLifecycle().decide(Optional.of(stored), request, NOW);

            Decision.Refused refused = assertInstanceOf(Decision.Refused.class, decision, request::toString);
            assertInstanceOf(TaskError.InvalidRequest.class, refused.error(), request::toString);
        }
    }

    @Test
    void theInvalidExamplesCoverEveryCall() {
        assertEquals(EnumSet.allOf(Call.class),
                INVALID_REQUESTS.stream().map(TaskRequest::call).collect(Collectors.toCollection(
                        () -> EnumSet.noneOf(Call.class))));
    }

    // ---- helpers

    private static String fieldOf(TaskRequest request) {
        return TaskValidation.check(request)
                .orElseThrow(() -> new AssertionError("expected a refusal of " + request))
                .field();
    }

    private static Optional<TaskError.InvalidRequest> checkDefinition(UnaryOperator<TaskDefinition.Builder> edit) {
        return TaskValidation.check(new TaskRequest.Desire(GUID, DOMAIN, edit.apply(definition().toBuilder())
                .build()));
    }

    private static String fieldOfDefinition(UnaryOperator<TaskDefinition.Builder> edit) {
        return checkDefinition(edit).orElseThrow(() -> new AssertionError("expected a refusal")).field();
    }

    private static Arguments negative(String field, UnaryOperator<TaskDefinition.Builder> edit) {
        return Arguments.of(field, edit);
    }

    private static TaskRequest.Complete complete(String result) {
        return new TaskRequest.Complete(GUID, OWNER, false, "", result);
    }

    private static EnvironmentVariable env(String name) {
        return EnvironmentVariable.newBuilder().setName(name).setValue("v").build();
    }
}
