package dev.corkboard.bbs.store;

/** The revision a watch was asked to resume after is compacted away: the caller must re-list. */
public final class ResyncRequiredException extends RuntimeException {

    private final long requestedRevision;

    public ResyncRequiredException(long requestedRevision) {
        super("cannot watch after revision " + requestedRevision + ": etcd has compacted it away; re-list and watch"
                + " from the listing's revision");
        this.requestedRevision = requestedRevision;
    }

    public long requestedRevision() {
        return requestedRevision;
    }
}
