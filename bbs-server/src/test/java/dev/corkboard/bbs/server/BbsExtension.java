package dev.corkboard.bbs.server;

import dev.corkboard.testkit.EtcdExtension;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real etcd for a test class and, for each test, a {@link BbsFixture}: a BBS replica on a free loopback port
 * under a key prefix of its own, with a client channel to it.
 * <pre>{@code
 * @RegisterExtension static final BbsExtension bbs = new BbsExtension();
 * }</pre>
 */
final class BbsExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

    private final EtcdExtension etcd = EtcdExtension.single();
    private final List<String> extraArgs;
    private BbsFixture fixture;

    BbsExtension(String... extraArgs) {
        this.extraArgs = List.of(extraArgs);
    }

    BbsFixture fixture() {
        return fixture;
    }

    EtcdExtension etcd() {
        return etcd;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        etcd.beforeAll(context);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        fixture = new BbsFixture(etcd.endpoints(), extraArgs);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        fixture.close();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        etcd.afterAll(context);
    }
}
