package dev.corkboard.testkit;

/**
 * An etcd member did not come up: it could not be launched, it exited, or it did not report
 * healthy in time. The message names the member and ends with the tail of its log.
 */
public final class EtcdStartException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final boolean addressInUse;

    EtcdStartException(String message, boolean addressInUse, Throwable cause) {
        super(message, cause);
        this.addressInUse = addressInUse;
    }

    /** Whether etcd failed because one of its ports was taken, which fresh ports would fix. */
    public boolean addressInUse() {
        return addressInUse;
    }
}
