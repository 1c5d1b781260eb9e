package dev.corkboard.bench;

import dev.corkboard.bbs.server.BbsConfig;
import dev.corkboard.bbs.server.BbsServerMain;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine;

/**
 * One BBS replica as a child JVM of its own ({@code java -Xmx512m -cp <this classpath> BbsServerMain ...}), so that
 * its CPU and heap are its own and not mixed with the simulated stagers and executors that load it. Its GC log goes to
 * a file that {@link GcLog} reads; its output goes to a log file that a failed start prints the end of.
 *
 * <p>{@link #start} returns once {@code /healthz} answers 200, that is once the BBS has reached etcd. Closing sends
 * SIGTERM, gives it the shutdown grace period and then kills it; the directory of its files is removed.
 */
final class BbsProcess implements AutoCloseable {

    /** The heap the design gives a replica (DESIGN.md §7: under 512 MiB). */
    static final String MAX_HEAP = "-Xmx512m";
    private static final Duration READY_WITHIN = Duration.ofSeconds(30);
    private static final Duration STOP_WITHIN = Duration.ofSeconds(10);

    private final Process process;
    private final Path dir;
    private final int port;
    private final int metricsPort;

    private BbsProcess(Process process, Path dir, int port, int metricsPort) {
        this.process = process;
        this.dir = dir;
        this.port = port;
        this.metricsPort = metricsPort;
    }

    /**
     * @param bbsFlags further BBS settings, e.g. {@code --transition-batch=16}
     * @param jvmOptions further JVM options, e.g. a flight recording
     * @throws IllegalStateException when it exits or does not become healthy in time (with the end of its output)
     */
    static BbsProcess start(List<String> etcdEndpoints, String prefix, List<String> bbsFlags, List<String> jvmOptions)
            throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("corkboard-bench-bbs-");
        int port = freePort();
        int metricsPort = freePort();
        List<String> command = new ArrayList<>(List.of(javaBinary(), MAX_HEAP,
                "-Xlog:gc:file=" + dir.resolve(GcLog.FILE_NAME)));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), BbsServerMain.class.getName(),
                "--listen=127.0.0.1:" + port, "--metrics-listen=127.0.0.1:" + metricsPort,
                "--etcd-endpoints=" + String.join(",", etcdEndpoints), "--etcd-prefix=" + prefix,
                "--shutdown-grace-period=2s"));
        command.addAll(bbsFlags);
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("output.log").toFile()).start();
        BbsProcess bbs = new BbsProcess(process, dir, port, metricsPort);
        try {
            bbs.awaitHealthy();
            return bbs;
        } catch (IllegalStateException | InterruptedException e) {
            bbs.close();
            throw e;
        }
    }

    /** Whether this BBS build accepts {@code flag}; a flag that a later build adds then joins the run by itself. */
    static boolean accepts(String flag) {
        try {
            BbsConfig.parse(new String[] {flag}, Map.of());
            return true;
        } catch (CommandLine.ParameterException e) {
            return false;
        } catch (RuntimeException e) {
            // the flag is known; whatever else the parse disliked is not our question
            return true;
        }
    }

    /** host:port of its gRPC services. */
    String endpoint() {
        return "127.0.0.1:" + port;
    }

    /** What its GC log says so far. */
    GcLog.Figures gc() throws IOException {
        return GcLog.read(dir.resolve(GcLog.FILE_NAME));
    }

    /**
     * Asks the BBS for a full GC ({@code jcmd GC.run}) and returns the heap it left in use, in MiB: what the replica
     * really holds, where heap used at any moment counts garbage too. NaN when jcmd is missing or fails.
     */
    double heapAfterFullGcMb() throws IOException, InterruptedException {
        int before = gc().collections();
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(process.pid()), "GC.run").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!jcmd.waitFor(30, TimeUnit.SECONDS) || jcmd.exitValue() != 0) {
            jcmd.destroyForcibly();
            return Double.NaN;
        }
        // the JVM writes the log line as the collection ends, which is before jcmd returns
        GcLog.Figures after = gc();
        return after.collections() > before ? after.lastAfterMb() : Double.NaN;
    }

    private void awaitHealthy() throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest healthz = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/healthz"))
                .timeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + READY_WITHIN.toNanos();
        while (System.nanoTime() - deadline < 0) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the BBS exited with " + process.exitValue() + ": " + outputTail());
            }
            try {
                if (http.send(healthz, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            TimeUnit.MILLISECONDS.sleep(50);
        }
        throw new IllegalStateException("the BBS was not healthy within " + READY_WITHIN.toSeconds() + " s: "
                + outputTail());
    }

    private String outputTail() {
        try {
            List<String> lines = Files.readAllLines(dir.resolve("output.log"));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(STOP_WITHIN.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(STOP_WITHIN.toSeconds(), TimeUnit.SECONDS);
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            System.err.println("could not remove " + dir + ": " + e);
        }
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
