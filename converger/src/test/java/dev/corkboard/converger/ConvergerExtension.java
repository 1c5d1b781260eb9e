package dev.corkboard.converger;

import dev.corkboard.testkit.EtcdExtension;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real etcd per test class and a fresh {@link ConvergerFixture} (its own prefix) per test; after every test the
 * index keys must mirror the task records exactly.
 */
final class ConvergerExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

    private final EtcdExtension etcd = EtcdExtension.single();
    private ConvergerFixture fixture;

    ConvergerFixture fixture() {
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
        fixture = new ConvergerFixture(etcd.endpoints());
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
