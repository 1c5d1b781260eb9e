package dev.corkboard.testkit;

import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an etcd cluster for the tests of one class:
 *
 * <pre>{@code
 * @RegisterExtension static final EtcdExtension etcd = EtcdExtension.cluster(3);
 * }</pre>
 *
 * <p>The cluster starts before the first test and is closed after the last, whether tests passed
 * or failed. The field must be static: only then does JUnit call the class-level callbacks.
 * {@code @Nested} classes share the outer class's cluster. If the cluster cannot start, every
 * test of the class fails with the cause (e.g. {@link EtcdBinary#NOT_FOUND_MESSAGE}).
 */
public final class EtcdExtension implements BeforeAllCallback, AfterAllCallback {

    private static final Logger log = LoggerFactory.getLogger(EtcdExtension.class);

    private final int size;
    private final List<String> extraFlags;
    private volatile EtcdCluster cluster;
    private volatile String owner;

    private EtcdExtension(int size, List<String> extraFlags) {
        if (size < 1) {
            throw new IllegalArgumentException("an etcd cluster needs at least one member, not " + size);
        }
        this.size = size;
        this.extraFlags = List.copyOf(extraFlags);
    }

    /** One member. */
    public static EtcdExtension single() {
        return new EtcdExtension(1, List.of());
    }

    /** {@code members} members forming one cluster. */
    public static EtcdExtension cluster(int members) {
        return new EtcdExtension(members, List.of());
    }

    /** {@code members} members, each given {@code extraFlags} after the testkit's own flags. */
    public static EtcdExtension cluster(int members, String... extraFlags) {
        return new EtcdExtension(members, List.of(extraFlags));
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (cluster != null) {
            // JUnit calls this again for each @Nested class; the outer class already owns a cluster.
            return;
        }
        log.info("starting a {}-member etcd cluster for {}", size, context.getDisplayName());
        cluster = EtcdCluster.of(size, extraFlags);
        owner = context.getUniqueId();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        EtcdCluster running = cluster;
        if (running == null || !context.getUniqueId().equals(owner)) {
            return;
        }
        cluster = null;
        owner = null;
        log.info("closing the etcd cluster of {}", context.getDisplayName());
        running.close();
    }

    /**
     * The running cluster.
     *
     * @throws IllegalStateException outside the test class's lifetime, e.g. when the extension is
     *     registered on an instance field
     */
    public EtcdCluster cluster() {
        EtcdCluster running = cluster;
        if (running == null) {
            throw new IllegalStateException(
                    "etcd is not running: register EtcdExtension with @RegisterExtension on a static field"
                            + " and use it from tests or @BeforeAll/@BeforeEach methods");
        }
        return running;
    }

    /** The cluster's client endpoints; see {@link #cluster()} for failures. */
    public List<String> endpoints() {
        return cluster().clientEndpoints();
    }
}
