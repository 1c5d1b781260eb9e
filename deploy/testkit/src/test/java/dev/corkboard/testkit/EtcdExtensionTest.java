package dev.corkboard.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.nio.file.Files;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.testkit.engine.EngineTestKit;

class EtcdExtensionTest {

    @RegisterExtension static final EtcdExtension etcd = EtcdExtension.single();

    @Test
    void servesTheTestsOfTheClass() throws Exception {
        try (KvClient kv = new KvClient(etcd.endpoints())) {
            kv.put("extension", "works");

            assertEquals(Optional.of("works"), kv.get("extension"));
        }
    }

    @Nested
    class NestedTests {
        @Test
        void shareTheOuterClassCluster() throws Exception {
            try (KvClient kv = new KvClient(etcd.endpoints())) {
                kv.put("nested", "shared");

                assertEquals(Optional.of("shared"), kv.get("nested"));
            }
        }
    }

    @Test
    void tearsDownAfterAFailingTest() {
        EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(AlwaysFailing.class))
                .execute()
                .testEvents()
                .assertStatistics(stats -> stats.started(1).failed(1));

        EtcdMember member = AlwaysFailing.seen;
        assertNotNull(member, "the failing test never saw its cluster");
        assertFalse(member.isRunning());
        assertFalse(Files.exists(member.dataDir()));
        assertThrows(IllegalStateException.class, AlwaysFailing.etcd::cluster);
    }

    /** Run only through EngineTestKit above; Surefire skips nested classes that are not @Nested. */
    static class AlwaysFailing {
        @RegisterExtension static final EtcdExtension etcd = EtcdExtension.single();
        static volatile EtcdMember seen;

        @Test
        void fails() {
            seen = etcd.cluster().member(0);
            throw new AssertionError("deliberate failure");
        }
    }
}
