package dev.corkboard.bbs.store;

import dev.corkboard.proto.v1.Task;

/** One record under {@code tasks/} as read at some revision, with the mod revision a conditional write compares. */
public sealed interface TaskRecord {

    String guid();

    long modRevision();

    /** A record that parses as a task this version can act on. */
    record Readable(Task task, long modRevision) implements TaskRecord {
        @Override
        public String guid() {
            return task.getGuid();
        }
    }

    /**
     * A record that does not parse, names an unknown state, or names another guid than its key. It has no index keys
     * anyone can know of; the converger prunes it.
     *
     * @param guid the last segment of its key
     * @param problem why it cannot be read
     */
    record Unreadable(String guid, long modRevision, String problem) implements TaskRecord {}
}
