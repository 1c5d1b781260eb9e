package dev.corkboard.converger;

import java.time.Duration;

/**
 * How the converger runs and when its rules fire. Every duration must be positive; see
 * {@link dev.corkboard.converger.rules.ConvergenceRules} for which task timestamp each threshold is measured from.
 *
 * @param interval time between passes while leading (an executor leaving also starts one at once)
 * @param kick age of updated_at after which a pending task is re-announced, a completed task re-notified, and a
 *     resolving task demoted back to completed
 * @param claimTimeout age of claimed_at after which a claimed task that never started goes back to pending
 * @param pendingExpiry age of created_at after which a pending task fails as "not claimed within time limit"
 * @param completedExpiry age of first_completed_at after which a completed task is deleted
 * @param leaseTtl TTL of the election lease, whole seconds: how long a silent leader keeps leading
 * @param pageSize task records read per page of a pass (1 to 10000); bounds the pass's memory
 * @param maxWritesInFlight repairs a pass has in flight at once
 */
public record ConvergerSettings(Duration interval, Duration kick, Duration claimTimeout, Duration pendingExpiry,
        Duration completedExpiry, Duration leaseTtl, int pageSize, int maxWritesInFlight) {

    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);
    public static final Duration DEFAULT_KICK = Duration.ofSeconds(30);
    public static final Duration DEFAULT_CLAIM_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_PENDING_EXPIRY = Duration.ofMinutes(30);
    public static final Duration DEFAULT_COMPLETED_EXPIRY = Duration.ofMinutes(2);
    public static final Duration DEFAULT_LEASE_TTL = Duration.ofSeconds(15);
    /**
     * Large pages because etcd 3.4 walks the rest of the key range for every limited range read, so a pass costs
     * O(tasks² / page size) there: 100k tasks took 4 s in pages of 500 and 0.8 s in pages of 5000. A page too large
     * for the client's message limit is shrunk by the store.
     */
    public static final int DEFAULT_PAGE_SIZE = 5000;
    public static final int DEFAULT_MAX_WRITES_IN_FLIGHT = 32;

    public ConvergerSettings {
        requirePositive("interval", interval);
        requirePositive("kick", kick);
        requirePositive("claimTimeout", claimTimeout);
        requirePositive("pendingExpiry", pendingExpiry);
        requirePositive("completedExpiry", completedExpiry);
        requirePositive("leaseTtl", leaseTtl);
        if (leaseTtl.toMillis() % 1000 != 0) {
            throw new IllegalArgumentException("leaseTtl must be whole seconds (etcd leases count seconds), was "
                    + leaseTtl);
        }
        if (pageSize <= 0 || pageSize > 10_000) {
            throw new IllegalArgumentException("pageSize must be between 1 and 10000, was " + pageSize);
        }
        if (maxWritesInFlight <= 0 || maxWritesInFlight > 1024) {
            throw new IllegalArgumentException("maxWritesInFlight must be between 1 and 1024, was "
                    + maxWritesInFlight);
        }
    }

    /** Diego's defaults: interval 30 s, kick 30 s, claim timeout 30 s, pending expiry 30 min, completed expiry 2 min. */
    public static ConvergerSettings defaults() {
        return new ConvergerSettings(DEFAULT_INTERVAL, DEFAULT_KICK, DEFAULT_CLAIM_TIMEOUT, DEFAULT_PENDING_EXPIRY,
                DEFAULT_COMPLETED_EXPIRY, DEFAULT_LEASE_TTL, DEFAULT_PAGE_SIZE, DEFAULT_MAX_WRITES_IN_FLIGHT);
    }

    public ConvergerSettings withInterval(Duration value) {
        return new ConvergerSettings(value, kick, claimTimeout, pendingExpiry, completedExpiry, leaseTtl, pageSize,
                maxWritesInFlight);
    }

    public ConvergerSettings withLeaseTtl(Duration value) {
        return new ConvergerSettings(interval, kick, claimTimeout, pendingExpiry, completedExpiry, value, pageSize,
                maxWritesInFlight);
    }

    public ConvergerSettings withPageSize(int value) {
        return new ConvergerSettings(interval, kick, claimTimeout, pendingExpiry, completedExpiry, leaseTtl, value,
                maxWritesInFlight);
    }

    /** The same settings with other rule thresholds. */
    public ConvergerSettings withThresholds(Duration newKick, Duration newClaimTimeout, Duration newPendingExpiry,
            Duration newCompletedExpiry) {
        return new ConvergerSettings(interval, newKick, newClaimTimeout, newPendingExpiry, newCompletedExpiry,
                leaseTtl, pageSize, maxWritesInFlight);
    }

    private static void requirePositive(String name, Duration value) {
        if (value == null) {
            throw new IllegalArgumentException(name + " is required");
        }
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
    }
}
