package dev.corkboard.e2e;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * One local cluster per test class: up before the first test, down after the last even when a test or the start
 * failed. When anything fails, the tail of every member's log goes to the build output, so a failure in CI explains
 * itself, and the cluster's directory under {@code target/e2e} is kept.
 */
final class LocalClusterExtension implements BeforeAllCallback, AfterAllCallback, TestExecutionExceptionHandler {

    private final Optional<List<String>> upOptions;
    private LocalCluster cluster;
    private boolean failed;

    private LocalClusterExtension(Optional<List<String>> upOptions) {
        this.upOptions = upOptions.map(List::copyOf);
    }

    /** {@code cluster up} with these options. */
    static LocalClusterExtension up(String... options) {
        return new LocalClusterExtension(Optional.of(List.of(options)));
    }

    /** A directory for a cluster the test brings up itself; it is brought down all the same. */
    static LocalClusterExtension broughtUpByTheTest() {
        return new LocalClusterExtension(Optional.empty());
    }

    LocalCluster cluster() {
        return cluster;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        Path parent = Path.of(System.getProperty("corkboard.e2e.dir", "target/e2e"))
                .resolve(context.getRequiredTestClass().getSimpleName());
        cluster = upOptions.isPresent()
                ? LocalCluster.up(parent, upOptions.get())
                : LocalCluster.in(parent);
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        failed = true;
        printLogTails(context.getDisplayName() + " failed");
        throw failure;
    }

    /** Down after the last test: the directory is removed when every test passed and kept to look into otherwise. */
    @Override
    public void afterAll(ExtensionContext context) {
        if (cluster == null) {
            return; // up failed: its failure carries the member logs, and it brought down what had started
        }
        if (context.getExecutionException().isPresent()) {
            failed = true;
            printLogTails(context.getDisplayName() + " failed");
        }
        cluster.down(!failed);
    }

    private void printLogTails(String why) {
        if (cluster != null) {
            System.err.println(why + "; member logs of the cluster in " + cluster.dir() + ":\n" + cluster.logTails());
        }
    }
}
