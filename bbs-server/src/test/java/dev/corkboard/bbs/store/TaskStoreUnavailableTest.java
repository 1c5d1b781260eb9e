package dev.corkboard.bbs.store;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.corkboard.bbs.state.TaskError;
import dev.corkboard.bbs.state.TaskException;
import dev.corkboard.bbs.state.TaskRequest;
import dev.corkboard.proto.v1.TaskState;
import dev.corkboard.testkit.EtcdCluster;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** With etcd gone, calls fail as unavailable within the deadline instead of hanging, and nothing is lost. */
class TaskStoreUnavailableTest {

    @Test
    void callsFailAsUnavailableWhileEtcdIsDownAndSucceedOnceItIsBack() {
        try (EtcdCluster cluster = EtcdCluster.single();
                StoreFixture fixture = new StoreFixture(cluster.clientEndpoints(), Duration.ofSeconds(1))) {
            fixture.desire("t1");
            fixture.apply(new TaskRequest.Claim("t1", "cell-1"));

            cluster.member(0).kill();
            // generous bound: it only proves the call does not hang; the deadline itself is one second
            TaskError error = assertTimeoutPreemptively(Duration.ofSeconds(15), () -> assertThrows(
                    TaskException.class, () -> fixture.apply(new TaskRequest.Start("t1", "cell-1", "c"))).error());
            assertInstanceOf(TaskError.Unavailable.class, error);

            cluster.member(0).start();
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> assertEquals(
                    TaskState.RUNNING, fixture.apply(new TaskRequest.Start("t1", "cell-1", "c")).getState()));
            assertEquals("cell-1", fixture.get("t1").getExecutorId(), "the claim made before the outage survived");
            fixture.assertIndexExact();
        }
    }
}
