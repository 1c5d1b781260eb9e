package dev.corkboard.converger;

import dev.corkboard.bbs.store.ConditionalOutcome;
import dev.corkboard.converger.rules.Repair;
import java.util.List;

/**
 * Hooks into a pass, for logs, tests and tools; every method does nothing by default. {@link #decided} runs on the
 * pass's thread before the page's repairs are sent; the others run on etcd client threads and must be quick.
 */
public interface PassObserver {

    PassObserver NONE = new PassObserver() {};

    /** The repairs the rules decided for one page, about to be sent. */
    default void decided(List<Repair> repairs) {}

    /** A repair's write was answered; only {@code Written} and {@code Removed} outcomes changed etcd. */
    default void repaired(Repair repair, ConditionalOutcome outcome) {}

    /** A repair's write got no answer in time: it may or may not have landed. */
    default void repairFailed(Repair repair, Throwable failure) {}

    /** The fenced status write after a pass: {@code landed} false means the fence refused it. */
    default void statusWritten(boolean landed) {}

    /** A pass ended. */
    default void passed(PassReport report) {}
}
