package dev.corkboard.converger;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** A {@link ConvergerTestProcess} in a JVM of its own, with the marked lines it printed. */
final class ChildConverger implements AutoCloseable {

    final String id;
    private final Process process;
    private final List<String> lines = new CopyOnWriteArrayList<>();

    private ChildConverger(String id, Process process) {
        this.id = id;
        this.process = process;
        Thread reader = new Thread(this::read, "child-" + id);
        reader.setDaemon(true);
        reader.start();
    }

    static ChildConverger launch(String id, List<String> arguments) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"),
                ConvergerTestProcess.class.getName(), "id=" + id));
        command.addAll(arguments);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        return new ChildConverger(id, process);
    }

    private void read() {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.startsWith(ConvergerTestProcess.MARK)) {
                    lines.add(line.substring(ConvergerTestProcess.MARK.length()));
                }
            }
        } catch (IOException e) {
            // the process died; its lines so far stay
        }
    }

    /** The marked lines printed so far. */
    List<String> lines() {
        return List.copyOf(lines);
    }

    List<String> linesStartingWith(String start) {
        return lines.stream().filter(line -> line.startsWith(start)).toList();
    }

    boolean printed(String start) {
        return !linesStartingWith(start).isEmpty();
    }

    long pid() {
        return process.pid();
    }

    /** Freezes the whole JVM, as a long GC pause or a stopped VM would: no thread runs, no lease is renewed. */
    void pause() throws IOException, InterruptedException {
        signal("-STOP");
    }

    void resume() throws IOException, InterruptedException {
        signal("-CONT");
    }

    /** Sends one line to the process's stdin (a gated process waits for one per page of writes). */
    void release() throws IOException {
        OutputStream in = process.getOutputStream();
        in.write("go\n".getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    private void signal(String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", signal, Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill " + signal + " " + process.pid() + " failed");
        }
    }

    @Override
    public void close() throws InterruptedException, IOException {
        if (process.isAlive()) {
            signal("-CONT");
            kill();
        }
    }
}
