package dev.corkboard.bbs.store;

import java.util.Optional;

/**
 * Where a walk over every task record stands: the revision it reads at (0 before the first page: "now") and the
 * last guid it served.
 */
public record RecordCursor(long revision, Optional<String> afterGuid) {

    public RecordCursor {
        if (revision < 0) {
            throw new IllegalArgumentException("revision must not be negative, was " + revision);
        }
    }

    /** The first page, read at the current revision. */
    public static RecordCursor start() {
        return new RecordCursor(0, Optional.empty());
    }

    /** The first page, read at a given revision (for example one a pass already read presences at). */
    public static RecordCursor startAt(long revision) {
        return new RecordCursor(revision, Optional.empty());
    }
}
