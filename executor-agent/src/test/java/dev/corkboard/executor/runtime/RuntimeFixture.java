package dev.corkboard.executor.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * One runtime per test with an owner prefix of its own, so tests never see each other's containers; closing it
 * destroys whatever the test left and closes the runtime.
 */
final class RuntimeFixture implements AutoCloseable {

    static final String CGROUP_ROOT = "corkboard-test";

    final RuntimeSettings settings;
    final ContainerRuntime runtime;
    private final Function<RuntimeSettings, ContainerRuntime> open;
    private final List<ContainerRuntime> extra = new ArrayList<>();
    private int next;

    /** Root filesystems a test offers tasks live in {@code <workDir>/images/<name>}. */
    static final String IMAGES = "images";

    RuntimeFixture(Path workDir, String runtimeName) {
        this(new RuntimeSettings(workDir, CGROUP_ROOT, "corkboard-test-" + UUID.randomUUID().toString().substring(0, 8)
                + "-", 64, 256, 0, Optional.of(images(workDir))), runtimeName);
    }

    private static Path images(Path workDir) {
        try {
            return Files.createDirectories(workDir.resolve(IMAGES));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    RuntimeFixture(RuntimeSettings settings, String runtimeName) {
        this.settings = settings;
        this.open = s -> ContainerRuntimes.create(runtimeName, s);
        this.runtime = open.apply(settings);
    }

    /** A fresh runtime over the same host state, as after an agent restart. */
    ContainerRuntime reopen() {
        ContainerRuntime fresh = open.apply(settings);
        extra.add(fresh);
        return fresh;
    }

    String handle() {
        return settings.ownerPrefix() + "task" + (next++);
    }

    /**
     * Starts the container from a new platform thread that lives until the container ended, as the agent does, and
     * completes with its outcome.
     */
    static CompletableFuture<ExitOutcome> run(Container container, LogSink sink) {
        CompletableFuture<ExitOutcome> outcome = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                container.start(sink);
                outcome.complete(container.await());
            } catch (Throwable e) {
                outcome.completeExceptionally(e);
            }
        }, "test-task-" + container.handle());
        thread.setDaemon(true);
        thread.start();
        return outcome;
    }

    static String read(Container container, String containerPath) throws IOException {
        return Files.readString(container.hostPath(containerPath).orElseThrow());
    }

    @Override
    public void close() {
        runtime.listOwned().forEach(runtime::destroy);
        runtime.close();
        extra.forEach(ContainerRuntime::close);
    }
}
