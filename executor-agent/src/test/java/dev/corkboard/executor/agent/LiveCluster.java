package dev.corkboard.executor.agent;

import dev.corkboard.testkit.EtcdExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real etcd for a test class, and for each test a fresh {@link AgentCluster} (BBS replicas under a prefix of
 * their own, agents started by the test) in a directory of its own, closed and removed after the test:
 * <pre>{@code
 * @RegisterExtension static final LiveCluster live = LiveCluster.withBbsReplicas(1);
 * }</pre>
 */
final class LiveCluster implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

    private final EtcdExtension etcd = EtcdExtension.single();
    private final int replicas;
    private AgentCluster cluster;
    private Path dir;

    private LiveCluster(int replicas) {
        this.replicas = replicas;
    }

    static LiveCluster withBbsReplicas(int replicas) {
        return new LiveCluster(replicas);
    }

    /** The current test's cluster. */
    AgentCluster cluster() {
        return cluster;
    }

    /** The current test's directory: each agent's work directory is the subdirectory named by its id. */
    Path dir() {
        return dir;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        etcd.beforeAll(context);
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        dir = Files.createTempDirectory("corkboard-agents-");
        cluster = new AgentCluster(String.join(",", etcd.endpoints()), dir, replicas);
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        try {
            cluster.close();
        } finally {
            try (Stream<Path> paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(LiveCluster::delete);
            }
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        etcd.afterAll(context);
    }

    private static void delete(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
