package dev.corkboard.bbs.state;

import dev.corkboard.proto.v1.Command;
import dev.corkboard.proto.v1.Resources;
import dev.corkboard.proto.v1.TaskDefinition;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Field checks for every request. A refusal names the offending field by its protobuf path (for example
 * {@code definition.resources.memory_mb}) so the caller can fix the request without guessing.
 */
public final class TaskValidation {

    /** Task guids and executor ids: they appear in etcd keys, so no separators. */
    public static final Pattern IDENTIFIER = Pattern.compile("^[a-zA-Z0-9_-]{1,128}$");

    /** Domains appear in index keys too; dots are allowed for reverse-DNS style names. */
    public static final Pattern DOMAIN = Pattern.compile("^[a-zA-Z0-9_.-]{1,128}$");

    public static final int MAX_ANNOTATION_BYTES = 10 * 1024;
    public static final int MAX_RESULT_BYTES = 10 * 1024;
    /** Keeps every record well under etcd's 1.5 MiB request limit. */
    public static final int MAX_DEFINITION_BYTES = 256 * 1024;
    private static final java.util.regex.Pattern RUNTIME = java.util.regex.Pattern.compile("^[a-z0-9_-]{1,64}$");

    private TaskValidation() {}

    /** The first problem with the request, if any. */
    public static Optional<TaskError.InvalidRequest> check(TaskRequest request) {
        Optional<TaskError.InvalidRequest> guid = identifier("guid", request.guid());
        if (guid.isPresent()) {
            return guid;
        }
        switch (request.call()) {
            case DESIRE: {
                var desire = (TaskRequest.Desire) request;
                return first(domain(desire.domain()), definition(desire.definition()));
            }
            case CLAIM:
                return identifier("executor_id", ((TaskRequest.Claim) request).executorId());
            case START: {
                var start = (TaskRequest.Start) request;
                return first(identifier("executor_id", start.executorId()),
                        required("container_handle", start.containerHandle()));
            }
            case REJECT: {
                var reject = (TaskRequest.Reject) request;
                return first(identifier("executor_id", reject.executorId()), required("reason", reject.reason()));
            }
            case COMPLETE: {
                var complete = (TaskRequest.Complete) request;
                return first(identifier("executor_id", complete.executorId()),
                        complete.failed() ? required("failure_reason", complete.failureReason()) : Optional.empty(),
                        maxBytes("result", complete.result(), MAX_RESULT_BYTES));
            }
            case FAIL:
                return required("reason", ((TaskRequest.Fail) request).reason());
            case CANCEL:
            case RESOLVING:
            case RESOLVE:
            case KICK:
            case DEMOTE_CLAIM:
            case DEMOTE_RESOLVING:
            case EXPIRE:
                return Optional.empty();
        }
        throw new IllegalStateException("unknown call " + request.call());
    }

    private static Optional<TaskError.InvalidRequest> definition(TaskDefinition definition) {
        if (definition == null || definition.equals(TaskDefinition.getDefaultInstance())) {
            return invalid("definition", "is required");
        }
        if (definition.getSerializedSize() > MAX_DEFINITION_BYTES) {
            return invalid("definition", "is " + definition.getSerializedSize() + " bytes, more than the limit of "
                    + MAX_DEFINITION_BYTES);
        }
        return first(command(definition.getCommand()), resources(definition.getResources()),
                definition.getTimeoutMs() < 0 ? invalid("definition.timeout_ms", "must not be negative")
                        : Optional.empty(),
                maxBytes("definition.annotation", definition.getAnnotation(), MAX_ANNOTATION_BYTES),
                callbackUrl(definition.getCompletionCallbackUrl()), placementTags(definition),
                runtime(definition.getRuntime()));
    }

    /** Empty (any runtime) or a runtime's name such as {@code sandbox}: what executors advertise and match. */
    private static Optional<TaskError.InvalidRequest> runtime(String runtime) {
        if (runtime.isEmpty() || RUNTIME.matcher(runtime).matches()) {
            return Optional.empty();
        }
        return invalid("definition.runtime", "must be empty or a runtime name of 1 to 64 lower-case letters, digits,"
                + " '_' or '-', such as 'sandbox'");
    }

    private static Optional<TaskError.InvalidRequest> command(Command command) {
        if (command.getPath().isBlank()) {
            return invalid("definition.command.path", "is required");
        }
        for (int i = 0; i < command.getEnvCount(); i++) {
            String name = command.getEnv(i).getName();
            if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0) {
                return invalid("definition.command.env[" + i + "].name", "must be non-empty without '=' or NUL");
            }
        }
        return Optional.empty();
    }

    private static Optional<TaskError.InvalidRequest> resources(Resources resources) {
        return first(nonNegative("definition.resources.memory_mb", resources.getMemoryMb()),
                nonNegative("definition.resources.disk_mb", resources.getDiskMb()),
                nonNegative("definition.resources.cpu_weight", resources.getCpuWeight()),
                nonNegative("definition.resources.max_pids", resources.getMaxPids()));
    }

    private static Optional<TaskError.InvalidRequest> callbackUrl(String url) {
        if (url.isEmpty()) {
            return Optional.empty();
        }
        try {
            URI uri = new URI(url);
            String scheme = uri.getScheme();
            // the authority, not the host: URI leaves the host null for names like stager_1 that DNS allows
            boolean http = "http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme);
            if (http && uri.getRawAuthority() != null && !uri.getRawAuthority().isEmpty()) {
                return Optional.empty();
            }
        } catch (URISyntaxException e) {
            // reported below
        }
        return invalid("definition.completion_callback_url", "must be an absolute http or https URL");
    }

    private static Optional<TaskError.InvalidRequest> placementTags(TaskDefinition definition) {
        for (int i = 0; i < definition.getPlacementTagsCount(); i++) {
            if (definition.getPlacementTags(i).isBlank()) {
                return invalid("definition.placement_tags[" + i + "]", "must not be blank");
            }
        }
        return Optional.empty();
    }

    /** Checks a guid or executor id named by {@code field}. */
    public static Optional<TaskError.InvalidRequest> identifier(String field, String value) {
        if (value == null || value.isEmpty()) {
            return invalid(field, "is required");
        }
        if (!isIdentifier(value)) {
            return invalid(field, "must match " + IDENTIFIER.pattern());
        }
        return Optional.empty();
    }

    /**
     * Whether {@code value} matches {@link #IDENTIFIER}, checked character by character: every transition checks one
     * or two identifiers, and the regular expression showed in profiles of that path.
     */
    public static boolean isIdentifier(String value) {
        int length = value.length();
        if (length == 0 || length > 128) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = value.charAt(i);
            boolean allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'
                    || c == '-';
            if (!allowed) {
                return false;
            }
        }
        return true;
    }

    /** Checks a domain. */
    public static Optional<TaskError.InvalidRequest> domain(String value) {
        if (value == null || value.isEmpty()) {
            return invalid("domain", "is required");
        }
        if (!DOMAIN.matcher(value).matches()) {
            return invalid("domain", "must match " + DOMAIN.pattern());
        }
        return Optional.empty();
    }

    private static Optional<TaskError.InvalidRequest> required(String field, String value) {
        return value == null || value.isBlank() ? invalid(field, "is required") : Optional.empty();
    }

    private static Optional<TaskError.InvalidRequest> nonNegative(String field, long value) {
        return value < 0 ? invalid(field, "must not be negative, was " + value) : Optional.empty();
    }

    private static Optional<TaskError.InvalidRequest> maxBytes(String field, String value, int limit) {
        // UTF-8 never takes more than 3 bytes per char, so short strings need no encoding
        if (value == null || value.length() * 3L <= limit) {
            return Optional.empty();
        }
        int bytes = value.getBytes(StandardCharsets.UTF_8).length;
        return bytes > limit ? invalid(field, "is " + bytes + " bytes, more than the limit of " + limit)
                : Optional.empty();
    }

    @SafeVarargs
    private static Optional<TaskError.InvalidRequest> first(Optional<TaskError.InvalidRequest>... checks) {
        for (Optional<TaskError.InvalidRequest> check : checks) {
            if (check.isPresent()) {
                return check;
            }
        }
        return Optional.empty();
    }

    private static Optional<TaskError.InvalidRequest> invalid(String field, String problem) {
        return Optional.of(new TaskError.InvalidRequest(field, problem));
    }
}
