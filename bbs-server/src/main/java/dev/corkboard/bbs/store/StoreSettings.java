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
 * @param transitionBatch most transitions of different tasks written in one etcd transaction (1: one transaction per
 *     transition, as many in flight as callers make); see {@link BatchedCommits}
 * @param batchesInFlight when batching, most transactions in flight at once; transitions that arrive while all are
 *     in flight wait and leave together in the next
 */
public record StoreSettings(String prefix, Duration requestTimeout, int maxAttempts, int maxTxnOps,
        int defaultPageSize, int maxPageSize, int knownRecords, int transitionBatch, int batchesInFlight) {

    public static final String DEFAULT_PREFIX = "/corkboard/v1";
    public static final int DEFAULT_TRANSITION_BATCH = 16;
    public static final int DEFAULT_BATCHES_IN_FLIGHT = 4;

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
        requirePositive("transitionBatch", transitionBatch);
        requirePositive("batchesInFlight", batchesInFlight);
        if (knownRecords < 0) {
            throw new IllegalArgumentException("knownRecords must not be negative, was " + knownRecords);
        }
        if (maxPageSize < defaultPageSize) {
            throw new IllegalArgumentException("maxPageSize must be at least defaultPageSize (" + defaultPageSize
                    + "), was " + maxPageSize);
        }
    }

    public static StoreSettings defaults() {
        return new StoreSettings(DEFAULT_PREFIX, Duration.ofSeconds(5), 32, 128, 100, 1000, 10_000,
                DEFAULT_TRANSITION_BATCH, DEFAULT_BATCHES_IN_FLIGHT);
    }

    public StoreSettings withPrefix(String newPrefix) {
        return new StoreSettings(newPrefix, requestTimeout, maxAttempts, maxTxnOps, defaultPageSize, maxPageSize,
                knownRecords, transitionBatch, batchesInFlight);
    }

    public StoreSettings withRequestTimeout(Duration timeout) {
        return new StoreSettings(prefix, timeout, maxAttempts, maxTxnOps, defaultPageSize, maxPageSize,
                knownRecords, transitionBatch, batchesInFlight);
    }

    public StoreSettings withKnownRecords(int capacity) {
        return new StoreSettings(prefix, requestTimeout, maxAttempts, maxTxnOps, defaultPageSize, maxPageSize,
                capacity, transitionBatch, batchesInFlight);
    }

    /** The same settings for an etcd started with {@code --max-txn-ops ops}. */
    public StoreSettings withMaxTxnOps(int ops) {
        return new StoreSettings(prefix, requestTimeout, maxAttempts, ops, defaultPageSize, maxPageSize,
                knownRecords, transitionBatch, batchesInFlight);
    }

    /** At most {@code transitions} per etcd transaction; 1 turns batching off. */
    public StoreSettings withTransitionBatch(int transitions) {
        return new StoreSettings(prefix, requestTimeout, maxAttempts, maxTxnOps, defaultPageSize, maxPageSize,
                knownRecords, transitions, batchesInFlight);
    }

    /** At most {@code transactions} batches in flight (used when {@link #transitionBatch()} is above 1). */
    public StoreSettings withBatchesInFlight(int transactions) {
        return new StoreSettings(prefix, requestTimeout, maxAttempts, maxTxnOps, defaultPageSize, maxPageSize,
                knownRecords, transitionBatch, transactions);
    }

    private static void requirePositive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
    }
}
