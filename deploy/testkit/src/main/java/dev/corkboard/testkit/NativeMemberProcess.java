package dev.corkboard.testkit;

import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs etcd as a child process of the test JVM. */
final class NativeMemberProcess implements MemberProcess {

    private static final Logger log = LoggerFactory.getLogger(NativeMemberProcess.class);

    private final Path executable;
    private volatile Process process;

    NativeMemberProcess(Path executable) {
        this.executable = executable;
    }

    @Override
    public void launch(MemberSpec spec, Path dataDir, Path logFile) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(executable.toString());
        command.addAll(
                spec.flags(
                        dataDir.toString(),
                        spec.clientUrl(),
                        spec.peerUrl(),
                        spec.peerUrl(),
                        spec.initialCluster()));
        ProcessBuilder builder =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(Redirect.appendTo(logFile.toFile()));
        // etcd treats every ETCD_* variable as a flag (ETCD_BIN included, with a warning); the flags
        // above must be the whole configuration, whatever the developer's shell exports.
        builder.environment().keySet().removeIf(name -> name.startsWith("ETCD_"));
        log.debug("launching {}", command);
        Process started = builder.start();
        ProcessReaper.watch(started);
        process = started;
    }

    @Override
    public boolean isAlive() {
        Process current = process;
        return current != null && current.isAlive();
    }

    @Override
    public void terminate(Duration grace) throws InterruptedException {
        Process current = process;
        if (current == null) {
            return;
        }
        current.destroy();
        if (!current.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            log.warn("etcd pid {} ignored SIGTERM for {}; killing it", current.pid(), grace);
            current.destroyForcibly();
            current.waitFor();
        }
        ProcessReaper.release(current);
    }

    @Override
    public void destroy() throws InterruptedException {
        Process current = process;
        if (current == null) {
            return;
        }
        current.destroyForcibly();
        current.waitFor();
        ProcessReaper.release(current);
    }

    @Override
    public void abort() {
        Process current = process;
        if (current != null) {
            current.destroyForcibly();
        }
    }

    @Override
    public void dispose() {
        abort();
    }

    @Override
    public Optional<ProcessHandle> handle() {
        Process current = process;
        return current == null ? Optional.empty() : Optional.of(current.toHandle());
    }
}
