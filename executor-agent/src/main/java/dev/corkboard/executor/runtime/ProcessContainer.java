package dev.corkboard.executor.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;

/**
 * A task as a plain child process in a session of its own ({@code setsid}), so that the session id names every
 * process it starts that does not itself call setsid. Stop and the timeout signal the whole session. No limits but
 * time are enforced.
 */
final class ProcessContainer extends SupervisedContainer {

    static final Path SETSID = Path.of("/usr/bin/setsid");

    private final Path containerDir;
    private final Path taskDir;
    private volatile long sessionId;

    ProcessContainer(ContainerSpec spec, Path containerDir, Path taskDir, ScheduledExecutorService timer,
            Runnable release) {
        super(spec, new ContainerPaths(taskDir, target -> hostToContainer(taskDir, target)), timer, release);
        this.containerDir = containerDir;
        this.taskDir = taskDir;
    }

    /** A symlink the task wrote with a host path into its own directory means the same as /task/...; others leave. */
    private static String hostToContainer(Path taskDir, String target) {
        Path path = Path.of(target).normalize();
        return path.startsWith(taskDir) ? ContainerPaths.TASK + "/" + taskDir.relativize(path) : target;
    }

    @Override
    protected Process launch() throws IOException, ContainerException {
        List<String> command = new ArrayList<>(List.of(SETSID.toString(), spec.path()));
        command.addAll(spec.args());
        ProcessBuilder builder = new ProcessBuilder(command).directory(workingDirectory().toFile());
        Map<String, String> env = builder.environment();
        env.clear();
        env.put("HOME", taskDir.toString());
        env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
        env.put("TMPDIR", containerDir.resolve("tmp").toString());
        env.putAll(spec.env());
        Process process = builder.start();
        // setsid execs in place: a child of the JVM is never a process group leader, so it does not need to fork
        sessionId = process.pid();
        writePidFile(process.pid());
        return process;
    }

    private Path workingDirectory() throws ContainerException {
        String dir = spec.dir();
        if (dir == null || dir.isEmpty()) {
            return taskDir;
        }
        Optional<Path> mapped = hostPath(dir);
        if (mapped.isPresent()) {
            return mapped.get();
        }
        throw new ContainerException("working directory " + dir + " is outside the task directory");
    }

    /** "pid starttime" of the session leader, for {@link ProcessRuntime#destroy} after the agent lost track. */
    private void writePidFile(long pid) throws IOException {
        long startTicks = ProcStat.read(pid).map(ProcStat::startTicks).orElse(-1L);
        Path file = containerDir.resolve("pid");
        Path temporary = containerDir.resolve("pid.tmp");
        Files.writeString(temporary, pid + " " + startTicks + "\n", StandardCharsets.US_ASCII);
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    protected void terminateAll(Process main) {
        Signals.terminate(ProcStat.inSession(sessionId));
    }

    @Override
    protected void killAll() {
        if (sessionId > 0) {
            ProcessSession.kill(sessionId);
        }
    }

    @Override
    protected Optional<ExitOutcome> limitOutcome(int status) {
        return Optional.empty();
    }
}
