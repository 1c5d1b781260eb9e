package dev.corkboard.converger;

import dev.corkboard.bbs.store.ConditionalOutcome;
import dev.corkboard.converger.rules.Repair;
import java.util.List;

/**
 * Hooks into a converger's leadership and passes, for logs, tests and tools; every method does nothing by default.
 * {@link #decided} runs on the pass's thread before the page's repairs are sent, {@link #elected} and
 * {@link #deposed} on the leadership thread; the others run on etcd client threads. All must be quick.
 */
public interface ConvergerObserver {

    ConvergerObserver NONE = new ConvergerObserver() {};

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

    /** This converger became leader for {@code term}. */
    default void elected(Leadership.Term term) {}

    /** This converger stopped leading. */
    default void deposed(Leadership.Term term, String reason) {}
}
