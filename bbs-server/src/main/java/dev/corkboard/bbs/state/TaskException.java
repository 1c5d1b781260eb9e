package dev.corkboard.bbs.state;

/** Carries a {@link TaskError} through futures and stack frames to the edge that maps it. */
public final class TaskException extends RuntimeException {

    private final transient TaskError error;

    public TaskException(TaskError error) {
        this(error, null);
    }

    public TaskException(TaskError error, Throwable cause) {
        super(error.message(), cause, false, cause != null);
        this.error = error;
    }

    public TaskError error() {
        return error;
    }
}
