package dev.corkboard.local;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Starts a member as a process that outlives this command, and finds and signals it again from a later one.
 *
 * <p>A recorded pid is only trusted while {@code /proc/PID/cmdline} is exactly the member's command: after the member
 * exits its pid may be reused by anything, and a zombie (exited, not yet reaped) shows an empty command line, so both
 * count as "not running" and are never signalled.
 */
final class MemberProcess {

    /** Settings the members must take from their flags alone; only the log level passes through. */
    private static final String CORKBOARD_PREFIX = "CORKBOARD_";
    private static final String KEPT = "CORKBOARD_LOG_LEVEL";

    private MemberProcess() {}

    /**
     * Starts the member detached: a session of its own ({@code setsid}, so a Ctrl-C or a closed terminal does not
     * reach it), stdin from {@code /dev/null}, stdout and stderr appended to its log. Returns its pid.
     */
    static long launch(Member member, Map<String, String> env) {
        Path log = Path.of(member.log());
        try {
            Files.createDirectories(log.getParent());
            if (!member.dataDir().isEmpty()) {
                Files.createDirectories(Path.of(member.dataDir()));
            }
            Files.writeString(log, "--- " + Instant.now() + " corkboard local cluster starts " + member.name() + "\n",
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            List<String> argv = new ArrayList<>();
            // setsid execs the command in place (the child is not a process group leader), so the pid stays ours
            argv.add("setsid");
            argv.addAll(member.command());
            ProcessBuilder builder = new ProcessBuilder(argv)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectErrorStream(true);
            Map<String, String> childEnv = builder.environment();
            childEnv.clear();
            env.forEach((key, value) -> {
                if (!key.startsWith(CORKBOARD_PREFIX) || key.equals(KEPT)) {
                    childEnv.put(key, value);
                }
            });
            return builder.start().pid();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + member.name() + ": " + e.getMessage(), e);
        }
    }

    /** Whether the member's recorded pid runs the member's command now. */
    static boolean isRunning(Member member) {
        return member.pid() > 0
                && commandLine(member.pid()).map(actual -> runs(actual, member.command())).orElse(false);
    }

    /**
     * Whether a process with argument vector {@code actual} is the member started with {@code command}: the command
     * itself, or for the instant before {@code setsid} has exec'd it, {@code setsid} followed by the command.
     */
    static boolean runs(List<String> actual, List<String> command) {
        return actual.equals(command)
                || (actual.size() == command.size() + 1 && actual.get(0).equals("setsid")
                        && actual.subList(1, actual.size()).equals(command));
    }

    /**
     * Sends SIGTERM ({@code force} false) or SIGKILL to the member if it is running. Returns whether it was.
     */
    static boolean signal(Member member, boolean force) {
        if (!isRunning(member)) {
            return false;
        }
        return ProcessHandle.of(member.pid())
                .map(handle -> force ? handle.destroyForcibly() : handle.destroy())
                .orElse(false);
    }

    /** The argument vector of a live process, or empty when there is none (or it is a zombie). */
    static Optional<List<String>> commandLine(long pid) {
        try {
            return Optional.of(parseCommandLine(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"))));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** {@code /proc/PID/cmdline}: arguments each ended by a NUL byte; empty for a zombie or a kernel thread. */
    static List<String> parseCommandLine(byte[] cmdline) {
        String text = new String(cmdline, StandardCharsets.UTF_8);
        if (text.isEmpty()) {
            return List.of();
        }
        if (text.endsWith("\0")) {
            text = text.substring(0, text.length() - 1);
        }
        return Arrays.asList(text.split("\0", -1));
    }
}
