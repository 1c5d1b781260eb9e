package dev.corkboard.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.output.OutputFrame;
import org.testcontainers.containers.wait.strategy.AbstractWaitStrategy;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.LogUtils;

/**
 * Runs a single etcd member in a container, for machines with a Docker engine but no etcd binary.
 * The client port is published on a fixed host port and the container is stopped and started
 * rather than recreated, so a restart keeps both the endpoint and the data. Containers left behind
 * by a dying JVM are removed by Testcontainers' own reaper.
 */
final class ContainerMemberProcess implements MemberProcess {

    private static final Logger log = LoggerFactory.getLogger(ContainerMemberProcess.class);
    private static final int CLIENT_PORT = 2379;
    private static final int PEER_PORT = 2380;
    private static final String DATA_DIR = "/etcd-data";

    private final String image;
    private volatile GenericContainer<?> container;

    ContainerMemberProcess(String image) {
        this.image = image;
    }

    @Override
    public void launch(MemberSpec spec, Path dataDir, Path logFile) throws IOException {
        GenericContainer<?> current = container;
        if (current == null) {
            current = create(spec);
            try {
                current.start();
            } catch (RuntimeException e) {
                // A container that never started (e.g. its host port was taken) is useless: recreate it
                // on the next launch, possibly with other ports.
                current.stop();
                throw e;
            }
            container = current;
        } else {
            current.getDockerClient().startContainerCmd(current.getContainerId()).exec();
        }
        // Docker replays the container's whole output to a new follower, so start the file afresh.
        Files.writeString(logFile, "", StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
        LogUtils.followOutput(
                current.getDockerClient(), current.getContainerId(), frame -> append(logFile, frame));
    }

    private GenericContainer<?> create(MemberSpec spec) {
        // Inside the container etcd listens on all interfaces; clients on the host reach it through
        // the published port, which is why the advertised client URL is the host's loopback URL.
        String peerUrl = "http://127.0.0.1:" + PEER_PORT;
        List<String> command = new ArrayList<>();
        command.add("/usr/local/bin/etcd");
        command.addAll(
                spec.flags(
                        DATA_DIR,
                        "http://0.0.0.0:" + CLIENT_PORT,
                        "http://0.0.0.0:" + PEER_PORT,
                        peerUrl,
                        spec.name() + "=" + peerUrl));
        GenericContainer<?> created =
                new GenericContainer<>(DockerImageName.parse(image))
                        .withCommand(command.toArray(String[]::new))
                        .withExposedPorts(CLIENT_PORT)
                        // EtcdMember polls /health itself, with the same timeout and diagnostics as for a
                        // local process; the image has no shell for Testcontainers' in-container port check.
                        .waitingFor(
                                new AbstractWaitStrategy() {
                                    @Override
                                    protected void waitUntilReady() {}
                                });
        created.setPortBindings(List.of(spec.clientPort() + ":" + CLIENT_PORT));
        return created;
    }

    private static void append(Path logFile, OutputFrame frame) {
        try {
            Files.writeString(
                    logFile, frame.getUtf8String(), StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public boolean isAlive() {
        GenericContainer<?> current = container;
        if (current == null || current.getContainerId() == null) {
            return false;
        }
        try {
            Boolean running =
                    current
                            .getDockerClient()
                            .inspectContainerCmd(current.getContainerId())
                            .exec()
                            .getState()
                            .getRunning();
            return Boolean.TRUE.equals(running);
        } catch (RuntimeException e) {
            log.debug("cannot inspect etcd container", e);
            return false;
        }
    }

    @Override
    public void terminate(Duration grace) {
        GenericContainer<?> current = container;
        if (current != null && isAlive()) {
            // docker stop sends SIGTERM and escalates to SIGKILL after the timeout, like a local stop.
            current
                    .getDockerClient()
                    .stopContainerCmd(current.getContainerId())
                    .withTimeout((int) Math.max(1, grace.toSeconds()))
                    .exec();
        }
    }

    @Override
    public void destroy() {
        GenericContainer<?> current = container;
        if (current != null && isAlive()) {
            current.getDockerClient().killContainerCmd(current.getContainerId()).exec();
        }
    }

    @Override
    public void abort() {
        try {
            destroy();
        } catch (RuntimeException e) {
            log.debug("cannot kill etcd container", e);
        }
    }

    @Override
    public void dispose() {
        GenericContainer<?> current = container;
        container = null;
        if (current != null) {
            current.stop();
        }
    }

    @Override
    public Optional<ProcessHandle> handle() {
        return Optional.empty();
    }
}
