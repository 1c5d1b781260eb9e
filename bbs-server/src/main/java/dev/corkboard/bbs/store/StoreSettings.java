package dev.corkboard.bbs.store;

import java.time.Duration;

/**
 * How the task store uses etcd.
 *
 * @param prefix key prefix every Corkboard key lives under, e.g. {@code /corkboard/v1}
 * @param requestTimeout deadline of one etcd round trip; past it a call fails as unavailable instead of hanging
 * @param maxAttempts compare-and-swap attempts of one transition before it gives up as unavailable
 * @param maxTxnOps etcd's {@code --max-txn-ops} (default 128): reads are batched in transactions of at most this size
 * @param defaultPageSize page size of a listing that names none
 * @param maxPageSize largest page a listing serves
 * @param knownRecords how many recently written or read records to keep as compare-and-swap guesses (0: none, read
 *     before every transition)
 */
public record StoreSettings(String prefix, Duration requestTimeout, int maxAttempts, int maxTxnOps,
        int defaultPageSize, int maxPageSize, int knownRecords) {

    public static final String DEFAULT_PREFIX = "/corkboard/v1";

    public StoreSettings {
        if (prefix.isEmpty() || !prefix.startsWith("/") || prefix.endsWith("/")) {
            throw new IllegalArgumentException("prefix must start and not end with '/', was '" + prefix + "'");
        }
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("requestTimeout must be positive, was " + requestTimeout);
        }
        requirePositive("maxAttempts", maxAttempts);
        requirePositive("maxTxnOps", maxTxnOps);
        requirePositive("defaultPageSize", defaultPageSize);
        if (knownRecords < 0) {
            throw new IllegalArgumentException("knownRecords must not be negative, was " + knownRecords);
        }
        if (maxPageSize < defaultPageSize) {
            throw new IllegalArgumentException("maxPageSize must be at least defaultPageSize (" + defaultPageSize
                    + "), was " + maxPageSize);
        }
    }

    public static StoreSettings defaults() {
        return new StoreSettings(DEFAULT_PREFIX, Duration.ofSeconds(5), 32, 128, 100, 1000, 10_000);
    }

    public StoreSettings withPrefix(String newPrefix) {
        return new StoreSettings(newPrefix, requestTimeout, maxAttempts, maxTxnOps, defaultPageSize, maxPageSize,
                knownRecords);
    }

    public StoreSettings withRequestTimeout(Duration timeout) {
        return new StoreSettings(prefix, timeout, maxAttempts, maxTxnOps, defaultPageSize, maxPageSize,
                knownRecords);
    }

    public StoreSettings withKnownRecords(int capacity) {
        return new StoreSettings(prefix, requestTimeout, maxAttempts, maxTxnOps, defaultPageSize, maxPageSize,
                capacity);
    }

    private static void requirePositive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
    }
}
