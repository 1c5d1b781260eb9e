package dev.corkboard.executor.logs;

/** This executor holds no log of the task: it never ran here, or its log has been swept. */
public final class NoSuchTaskLogException extends Exception {

    private static final long serialVersionUID = 1L;

    public NoSuchTaskLogException(String taskGuid) {
        super("this executor holds no log of task " + taskGuid);
    }
}
