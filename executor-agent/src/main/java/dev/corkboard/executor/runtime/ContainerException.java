package dev.corkboard.executor.runtime;

/** A container could not be created or started; the message says why, for the task's failure reason. */
public class ContainerException extends Exception {

    public ContainerException(String message) {
        super(message);
    }

    public ContainerException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The host lacks what the spec asks for now: the task should go back to Pending for another executor. */
    public static final class InsufficientResources extends ContainerException {
        public InsufficientResources(String message) {
            super(message);
        }
    }
}
