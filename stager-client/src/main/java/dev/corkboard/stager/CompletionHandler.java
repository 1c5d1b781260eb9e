package dev.corkboard.stager;

import dev.corkboard.proto.v1.Task;

/**
 * What a stager does with a completed task of its domain: publish the result, notify a user, start the next step.
 * Returning normally resolves the task (it is removed); throwing leaves it resolving, and after the converger's kick
 * interval it is offered again. A handler may therefore run more than once for a task (at least once), so it should
 * be idempotent; the task is removed exactly once.
 */
@FunctionalInterface
public interface CompletionHandler {

    void handle(Task completed) throws Exception;
}
