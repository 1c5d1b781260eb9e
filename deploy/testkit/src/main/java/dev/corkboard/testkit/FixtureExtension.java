package dev.corkboard.testkit;

import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real etcd for a test class and a fresh fixture for each test, made from the etcd endpoints and checked after the
 * test before it is closed:
 * <pre>{@code
 * @RegisterExtension static final FixtureExtension<StoreFixture> store = new FixtureExtension<>(StoreFixture::new);
 * }</pre>
 * Fixtures usually take a key prefix of their own, so the tests of a class share the etcd but not their keys.
 */
public final class FixtureExtension<F extends FixtureExtension.Fixture>
        implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

    /** What a test works with; {@link #verify()} states the invariant every test of the class must leave true. */
    public interface Fixture extends AutoCloseable {

        /** Throws an assertion error when the test left the store in a state it must never be in. */
        void verify();

        @Override
        void close();
    }

    private final EtcdExtension etcd = EtcdExtension.single();
    private final Function<List<String>, F> factory;
    private F fixture;

    public FixtureExtension(Function<List<String>, F> factory) {
        this.factory = factory;
    }

    /** The current test's fixture. */
    public F fixture() {
        return fixture;
    }

    public List<String> endpoints() {
        return etcd.endpoints();
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        etcd.beforeAll(context);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        fixture = factory.apply(etcd.endpoints());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        try {
            fixture.verify();
        } finally {
            fixture.close();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        etcd.afterAll(context);
    }
}
