package dev.corkboard.e2e;

import dev.corkboard.local.LogTail;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A cluster run by the local cluster tool ({@code deploy/local/cluster}), driven the way a user drives it: every
 * call is the script, run as a process, in the cluster's own directory.
 *
 * <p>Closing brings the cluster down, and a JVM that exits before that brings it down from a shutdown hook, so no
 * member outlives the test run.
 */
final class LocalCluster implements AutoCloseable {

    /** Bringing up three etcd members and six JVMs on two busy cores takes a while. */
    private static final Duration UP_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration CALL_TIMEOUT = Duration.ofMinutes(1);
    private static final int TAIL_LINES = 40;

    private final Path dir;
    private final Path outputs;
    private final Thread downOnExit = new Thread(this::downQuietly, "corkboard-e2e-down");
    private final AtomicInteger calls = new AtomicInteger();

    private LocalCluster(Path dir, Path outputs) {
        this.dir = dir;
        this.outputs = outputs;
    }

    /**
     * A cluster directory under {@code parent} that nothing runs in yet, for a test that brings the cluster up
     * another way (the quickstart); closing it still brings down whatever runs there.
     */
    static LocalCluster in(Path parent) throws IOException {
        Files.createDirectories(parent);
        // the tool's own output goes beside the cluster directory, which is the tool's alone
        Path run = Files.createTempDirectory(parent, "run-");
        LocalCluster cluster = new LocalCluster(run.resolve("cluster"), run);
        Runtime.getRuntime().addShutdownHook(cluster.downOnExit);
        return cluster;
    }

    /**
     * Runs {@code cluster up} with these options in a new directory under {@code parent}. When the cluster does not
     * come up, the failure carries the tail of every member's log and whatever did start is brought down.
     */
    static LocalCluster up(Path parent, List<String> options) throws IOException {
        LocalCluster cluster = in(parent);
        List<String> command = new ArrayList<>(List.of("up"));
        command.addAll(options);
        try {
            cluster.run(command, UP_TIMEOUT);
        } catch (RuntimeException | AssertionError e) {
            AssertionError failure = new AssertionError(e.getMessage() + "\n" + cluster.logTails(), e);
            try {
                cluster.close();
            } catch (RuntimeException | AssertionError down) {
                failure.addSuppressed(down);
            }
            throw failure;
        }
        return cluster;
    }

    Path dir() {
        return dir;
    }

    /** Where the output of each run of the tool is kept, and where a test may keep the output of what it runs. */
    Path outputs() {
        return outputs;
    }

    ClusterStatus status() {
        return ClusterStatus.parse(run(List.of("status", "--json"), CALL_TIMEOUT));
    }

    /** SIGKILL: the member gets no chance to clean up. */
    void kill(String member) {
        run(List.of("kill", member), CALL_TIMEOUT);
    }

    /** {@code cluster start}: starts a stopped or killed member again and waits until it is healthy. */
    void start(String member) {
        run(List.of("start", member), UP_TIMEOUT);
    }

    /**
     * The last lines of every member's log, headed by the member's name: what a failed run prints. Never throws: when
     * the tool cannot say where the logs are, every {@code *.log} file under the directory is shown instead.
     */
    String logTails() {
        List<Path> logs;
        try {
            logs = status().processes().stream().map(member -> Path.of(member.log())).toList();
        } catch (RuntimeException | AssertionError e) {
            try (Stream<Path> files = Files.walk(dir, 4)) {
                logs = files.filter(file -> file.toString().endsWith(".log")).sorted().toList();
            } catch (IOException | UncheckedIOException walk) {
                return "(no member logs under " + dir + ": " + walk + ")";
            }
        }
        return logs.stream()
                .map(log -> "==== " + log + " (last " + TAIL_LINES + " lines)\n" + LogTail.of(log, TAIL_LINES))
                .collect(Collectors.joining("\n"));
    }

    /** {@code cluster down}, keeping the directory (logs, data) to look into. */
    @Override
    public void close() {
        down(false);
    }

    /**
     * {@code cluster down}: afterwards no member process is left; with {@code purge} the directory goes too (a
     * three-member cluster leaves a few hundred MB of etcd data and copied jars). A directory never created had none.
     */
    void down(boolean purge) {
        try {
            if (Files.exists(dir)) {
                run(purge ? List.of("down", "--purge") : List.of("down"), CALL_TIMEOUT);
            }
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(downOnExit);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or about to: nothing to remove
            }
        }
    }

    private void downQuietly() {
        try {
            run(List.of("down"), CALL_TIMEOUT);
        } catch (RuntimeException | AssertionError e) {
            System.err.println("cluster down in " + dir + " failed: " + e.getMessage());
        }
    }

    /** Runs the tool with {@code --dir} and returns what it printed; fails with that output unless it exits 0. */
    private String run(List<String> arguments, Duration timeout) {
        List<String> command = new ArrayList<>();
        command.add("deploy/local/cluster");
        command.addAll(arguments);
        command.addAll(List.of("--dir", dir.toString()));
        Path output = outputs.resolve(calls.incrementAndGet() + "-" + arguments.get(0) + ".out");
        return Script.run(command, Map.of(), output, timeout);
    }
}
