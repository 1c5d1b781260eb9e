package dev.corkboard.e2e;

import dev.corkboard.proto.v1.Command;
import dev.corkboard.proto.v1.TaskDefinition;

/**
 * The task the end-to-end tests run in the sandbox: it writes its number to its result file, after an optional
 * sleep that keeps it in flight long enough for a member to die under it.
 */
record EchoTask(int number, int sleepSeconds) {

    static final String RESULT_FILE = "out";

    static EchoTask quick(int number) {
        return new EchoTask(number, 0);
    }

    static EchoTask slow(int number, int sleepSeconds) {
        return new EchoTask(number, sleepSeconds);
    }

    String guid(String prefix) {
        return prefix + "-" + number;
    }

    /** What the completed task's result must be. */
    String expectedResult() {
        return number + "\n";
    }

    TaskDefinition definition() {
        String script = (sleepSeconds > 0 ? "sleep " + sleepSeconds + " && " : "") + "echo " + number + " > "
                + RESULT_FILE;
        return TaskDefinition.newBuilder()
                .setCommand(Command.newBuilder().setPath("/bin/sh").addArgs("-c").addArgs(script))
                .setResultFile(RESULT_FILE)
                .build();
    }
}
