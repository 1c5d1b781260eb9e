package dev.corkboard.executor.runtime;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/** The one daemon thread per runtime that fires timeouts and the SIGKILL after a stop's grace period. */
final class RuntimeTimer {

    private RuntimeTimer() {}

    static ScheduledExecutorService create(String runtime) {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "corkboard-" + runtime + "-timer");
            thread.setDaemon(true);
            return thread;
        });
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }
}
