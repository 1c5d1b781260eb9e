package dev.corkboard.bbs.store;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The records this store last wrote or read, least recently used dropped first. They are only guesses: a transition
 * decided on one compares its mod revision like any other, so a stale entry costs one failed compare (whose else
 * branch returns the fresh record), never a lost or doubled write. What they save is the read before each transition
 * of a task this replica is driving.
 */
final class KnownRecords {

    private final int capacity;
    private final Map<String, StoredTask> records;

    KnownRecords(int capacity) {
        this.capacity = capacity;
        this.records = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, StoredTask> eldest) {
                return size() > KnownRecords.this.capacity;
            }
        };
    }

    synchronized Optional<StoredTask> get(String guid) {
        return Optional.ofNullable(records.get(guid));
    }

    /** Remembers what etcd holds for the guid now; an absent record is forgotten. */
    synchronized void remember(String guid, StoredTask stored) {
        if (capacity == 0) {
            return;
        }
        if (stored.task().isPresent()) {
            records.put(guid, stored);
        } else {
            records.remove(guid);
        }
    }

    synchronized void forget(String guid) {
        records.remove(guid);
    }
}
