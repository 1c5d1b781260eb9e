package dev.corkboard.bbs.store;

import dev.corkboard.testkit.EtcdExtension;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real etcd for a test class and a fresh {@link StoreFixture} (its own key prefix) for each test:
 * <pre>{@code
 * @RegisterExtension static final StoreExtension store = new StoreExtension();
 * }</pre>
 * After every test it checks the invariant all store tests share: the index keys mirror the task records exactly.
 */
final class StoreExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

    private final EtcdExtension etcd = EtcdExtension.single();
    private StoreFixture fixture;

    StoreFixture fixture() {
        return fixture;
    }

    List<String> endpoints() {
        return etcd.endpoints();
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        etcd.beforeAll(context);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        fixture = new StoreFixture(etcd.endpoints());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        try {
            fixture.assertIndexExact();
        } finally {
            fixture.close();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        etcd.afterAll(context);
    }
}
