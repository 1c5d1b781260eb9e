package dev.corkboard.stager.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskState;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** How cork prints: aligned tables for people, protobuf's canonical JSON mapping for programs. */
final class Output {

    private static final JsonFormat.Printer JSON = JsonFormat.printer();
    private static final JsonFormat.Printer JSON_LINE = JSON.omittingInsignificantWhitespace();
    private static final List<String> TASK_COLUMNS = List.of("GUID", "DOMAIN", "STATE", "EXECUTOR", "AGE", "OUTCOME");

    private final PrintWriter out;
    private final boolean json;
    private final Clock clock;

    Output(PrintWriter out, boolean json, Clock clock) {
        this.out = out;
        this.json = json;
        this.clock = clock;
    }

    void task(Task task) {
        if (json) {
            out.println(json(task));
        } else {
            tasks(List.of(task));
            if (!task.getResult().isEmpty()) {
                out.println();
                out.println("result:");
                out.println(task.getResult());
            }
        }
        out.flush();
    }

    void tasks(List<Task> tasks) {
        if (json) {
            jsonArray(tasks);
            return;
        }
        List<List<String>> rows = new ArrayList<>();
        for (Task task : tasks) {
            rows.add(List.of(task.getGuid(), task.getDomain(), task.getState().name(),
                    task.getExecutorId().isEmpty() ? "-" : task.getExecutorId(), age(task), outcome(task)));
        }
        table(TASK_COLUMNS, rows);
    }

    /** One JSON object per line: for streams such as {@code cork watch}. */
    void jsonLine(MessageOrBuilder message) {
        try {
            out.println(JSON_LINE.print(message));
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
        out.flush();
    }

    void line(String text) {
        out.println(text);
        out.flush();
    }

    void table(List<String> columns, List<List<String>> rows) {
        int[] widths = new int[columns.size()];
        for (int i = 0; i < widths.length; i++) {
            widths[i] = columns.get(i).length();
            for (List<String> row : rows) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        printRow(columns, widths);
        rows.forEach(row -> printRow(row, widths));
        out.flush();
    }

    private void printRow(List<String> cells, int[] widths) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            line.append(cells.get(i));
            if (i < cells.size() - 1) {
                line.append(" ".repeat(widths[i] - cells.get(i).length() + 2));
            }
        }
        out.println(line);
    }

    void jsonArray(List<? extends MessageOrBuilder> messages) {
        out.println("[");
        for (int i = 0; i < messages.size(); i++) {
            out.print(json(messages.get(i)));
            out.println(i < messages.size() - 1 ? "," : "");
        }
        out.println("]");
        out.flush();
    }

    static String json(MessageOrBuilder message) {
        try {
            return JSON.print(message);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }

    /** "succeeded", "failed: reason", or "-" while the task has not completed. */
    static String outcome(Task task) {
        boolean done = task.getState() == TaskState.COMPLETED || task.getState() == TaskState.RESOLVING;
        if (!done) {
            return "-";
        }
        return task.getFailed() ? "failed: " + oneLine(task.getFailureReason()) : "succeeded";
    }

    private String age(Task task) {
        Duration age = Duration.ofMillis(Math.max(0, clock.millis() - task.getCreatedAtMs()));
        if (age.toSeconds() < 120) {
            return age.toSeconds() + "s";
        }
        if (age.toMinutes() < 120) {
            return age.toMinutes() + "m";
        }
        if (age.toHours() < 48) {
            return age.toHours() + "h";
        }
        return age.toDays() + "d";
    }

    private static String oneLine(String text) {
        String flat = text.replaceAll("\\s+", " ").trim();
        return flat.length() > 80 ? flat.substring(0, 79) + "…" : flat;
    }
}
