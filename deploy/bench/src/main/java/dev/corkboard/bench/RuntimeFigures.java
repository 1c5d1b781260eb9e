package dev.corkboard.bench;

/** What the executor benchmark found for one runtime: figures, or why there are none. */
sealed interface RuntimeFigures {

    String runtime();

    /**
     * @param measured the measured tasks, after the warm-up
     * @param warmupFailed tasks of the warm-up that did not complete successfully
     * @param claimToStart the agent's timer at the end of the run
     * @param claimToStartMeanMillis the timer's mean over the measured tasks alone
     */
    record Measured(String runtime, TaskBatch.Outcome measured, long warmupFailed,
            InProcessAgent.ClaimToStart claimToStart, double claimToStartMeanMillis) implements RuntimeFigures {}

    /** The runtime could not run here, or the run broke off; {@code reason} is one line. */
    record Skipped(String runtime, String reason) implements RuntimeFigures {}
}
