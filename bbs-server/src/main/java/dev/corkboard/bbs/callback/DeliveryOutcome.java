package dev.corkboard.bbs.callback;

/** How one delivery round of one task ended, and so where the task was left. */
sealed interface DeliveryOutcome {

    /** The metric tag of this outcome. */
    String tag();

    /** Posted with a 2xx answer, then resolved: the task is gone. */
    record Resolved() implements DeliveryOutcome {
        public String tag() {
            return "succeeded";
        }
    }

    /**
     * Another replica won the Resolving compare-and-swap, or the task is gone or no longer Completed: nothing to do.
     */
    record Lost(String why) implements DeliveryOutcome {
        public String tag() {
            return "lost";
        }
    }

    /**
     * The Resolving call failed (etcd unreachable): the task is probably still Completed and the converger's re-notify
     * offers it again; if the write applied after all, it is Resolving and the converger demotes it.
     */
    record Unclaimed(String problem) implements DeliveryOutcome {
        public String tag() {
            return "unclaimed";
        }
    }

    /** No 2xx within the round's attempts, or a permanent failure: left Resolving for the converger to demote. */
    record Undelivered(String problem) implements DeliveryOutcome {
        public String tag() {
            return "failed";
        }
    }

    /**
     * Posted with a 2xx answer, but the Resolve failed: left Resolving; after the converger demotes it the receiver
     * gets the same callback again (delivery is at least once).
     */
    record Unresolved(String problem) implements DeliveryOutcome {
        public String tag() {
            return "unresolved";
        }
    }
}
