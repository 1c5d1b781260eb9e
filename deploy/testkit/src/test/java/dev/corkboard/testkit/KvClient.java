package dev.corkboard.testkit;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A jetcd client reduced to what the testkit's tests ask: string puts and gets with deadlines. */
final class KvClient implements AutoCloseable {

    // Short enough that a dead member fails a call quickly, long enough for a loaded 2-core CI box.
    private static final long CALL_TIMEOUT_SECONDS = 3;

    private final Client client;

    KvClient(List<String> endpoints) {
        this.client = Client.builder().endpoints(endpoints.toArray(String[]::new)).build();
    }

    KvClient(String endpoint) {
        this(List.of(endpoint));
    }

    void put(String key, String value)
            throws ExecutionException, InterruptedException, TimeoutException {
        put(key, value, Duration.ofSeconds(CALL_TIMEOUT_SECONDS));
    }

    void put(String key, String value, Duration timeout)
            throws ExecutionException, InterruptedException, TimeoutException {
        client
                .getKVClient()
                .put(bytes(key), bytes(value))
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A linearizable read: needs a quorum. */
    Optional<String> get(String key)
            throws ExecutionException, InterruptedException, TimeoutException {
        return first(
                client.getKVClient().get(bytes(key)).get(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS).getKvs());
    }

    /** A serializable read: answered from the contacted member's own copy of the data. */
    Optional<String> getLocal(String key)
            throws ExecutionException, InterruptedException, TimeoutException {
        GetOption local = GetOption.builder().withSerializable(true).build();
        return first(
                client
                        .getKVClient()
                        .get(bytes(key), local)
                        .get(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                        .getKvs());
    }

    private static Optional<String> first(List<KeyValue> kvs) {
        return kvs.stream().findFirst().map(kv -> kv.getValue().toString(StandardCharsets.UTF_8));
    }

    private static ByteSequence bytes(String text) {
        return ByteSequence.from(text, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        client.close();
    }
}
