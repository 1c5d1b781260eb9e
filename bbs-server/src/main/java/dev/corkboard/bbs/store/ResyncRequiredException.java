package dev.corkboard.bbs.store;

/** The revision a watch was asked to resume after is compacted away: the caller must re-list. */
public final class ResyncRequiredException extends RuntimeException {

    private final long compactRevision;

    public ResyncRequiredException(long requested, long compactRevision) {
        super("cannot watch from revision " + requested + ": etcd compacted up to revision " + compactRevision
                + "; re-list and watch from the listing's revision");
        this.compactRevision = compactRevision;
    }

    public long compactRevision() {
        return compactRevision;
    }
}
