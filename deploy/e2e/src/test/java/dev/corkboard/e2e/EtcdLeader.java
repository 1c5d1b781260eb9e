package dev.corkboard.e2e;

import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.maintenance.StatusResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Finds the etcd member that leads, by asking every member for its status (etcd's maintenance API): the leader is the
 * member whose own id is the leader id it reports.
 */
final class EtcdLeader {

    private EtcdLeader() {}

    /** The client endpoint of the leader, waiting up to {@code atMost} while no member answers that it leads. */
    static String endpoint(List<String> endpoints, Duration atMost) {
        try (Client client = Client.builder().endpoints(endpoints.toArray(String[]::new)).build()) {
            return await("an etcd leader among " + endpoints).atMost(atMost).pollInterval(Duration.ofMillis(200))
                    .ignoreExceptions()
                    .until(() -> leader(client, endpoints), Optional::isPresent)
                    .orElseThrow();
        }
    }

    private static Optional<String> leader(Client client, List<String> endpoints)
            throws InterruptedException, ExecutionException, TimeoutException {
        for (String endpoint : endpoints) {
            StatusResponse status = client.getMaintenanceClient().statusMember(endpoint).get(2, TimeUnit.SECONDS);
            if (status.getLeader() != 0 && status.getLeader() == status.getHeader().getMemberId()) {
                return Optional.of(endpoint);
            }
        }
        return Optional.empty();
    }
}
