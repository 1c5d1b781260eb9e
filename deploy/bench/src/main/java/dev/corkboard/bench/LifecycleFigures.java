package dev.corkboard.bench;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** What the lifecycle phase found for one BBS variant: figures, or why there are none. */
sealed interface LifecycleFigures {

    BbsVariant variant();

    /** The variants that were measured, in the order given. */
    static List<Measured> measured(List<LifecycleFigures> figures) {
        return figures.stream().flatMap(f -> f instanceof Measured m ? Stream.of(m) : Stream.empty()).toList();
    }

    /** The measured variant with the most lifecycles per second. */
    static Optional<Measured> peak(List<LifecycleFigures> figures) {
        return measured(figures).stream().max(Comparator.comparingDouble(m -> m.window().perSecond()));
    }

    /**
     * @param window the closed loop's window; its CPU's {@code childJvmSeconds} is the BBS's
     * @param executorFailures calls of the simulated executors that failed during the phase
     * @param firstExecutorFailure the first of them
     * @param heapAfterGcMb heap the BBS held after a full GC at the end of the phase
     * @param heapPeakMb the most heap in use when any collection began, from the start of the BBS to the end of the
     *     phase; NaN when it never collected
     */
    record Measured(BbsVariant variant, PhaseResult window, long executorFailures,
            Optional<Throwable> firstExecutorFailure, double heapAfterGcMb, double heapPeakMb)
            implements LifecycleFigures {

        double bbsCpuSeconds() {
            return window.cpu().childJvmSeconds();
        }
    }

    /** The BBS build has no such setting, or the phase broke off; {@code reason} is one line. */
    record Skipped(BbsVariant variant, String reason) implements LifecycleFigures {}
}
