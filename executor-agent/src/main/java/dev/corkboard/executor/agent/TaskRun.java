package dev.corkboard.executor.agent;

import dev.corkboard.executor.logs.TaskLog;
import dev.corkboard.executor.runtime.Container;
import dev.corkboard.executor.runtime.ContainerException;
import dev.corkboard.executor.runtime.ContainerRuntime;
import dev.corkboard.executor.runtime.ContainerSpec;
import dev.corkboard.executor.runtime.ExitOutcome;
import dev.corkboard.proto.v1.Command;
import dev.corkboard.proto.v1.CompleteTaskRequest;
import dev.corkboard.proto.v1.EnvironmentVariable;
import dev.corkboard.proto.v1.RejectTaskRequest;
import dev.corkboard.proto.v1.StartTaskRequest;
import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One claimed task on this host, from its claim to its reported result: create the container, StartTask, run the
 * main process with its output going to the task's log, read the result file, report the outcome, destroy the
 * container. It runs on a thread of its own that lives as long as the task, because a sandbox dies with the thread
 * that launched it.
 *
 * <p>Failures and what they become: a container the host lacks the resources for → RejectTask (another executor may
 * take it); any other container error → completed as failed with the error; StartTask refused (cancelled meanwhile,
 * taken away) → nothing runs; the task stopped by the agent's shutdown → completed as failed with that reason; the
 * task stopped on the BBS's word (cancelled, completed elsewhere, taken away) → nothing reported: it is no longer this
 * executor's to complete.
 */
final class TaskRun implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(TaskRun.class);
    /** StartTask calls made before a task that no BBS let start is given up. */
    static final int START_ATTEMPTS = 5;
    /** The reason of a task given up that way. */
    static final String NO_START = "executor could not reach a BBS to start the task";

    /** How the agent learns that a run ended, to release its capacity and forget it. */
    interface Ended {
        void ended(TaskRun run);
    }

    private final Task task;
    private final String executorId;
    private final String handle;
    private final ContainerRuntime runtime;
    private final BbsLink bbs;
    private final ResultDelivery results;
    private final TaskLog taskLog;
    private final AgentMetrics metrics;
    private final ContainerDefaults defaults;
    private final Ended ended;
    private final long claimedNanos;
    private volatile Optional<Container> container = Optional.empty();
    private volatile Optional<String> stopReason = Optional.empty();

    /** The limits a task that names none gets. */
    record ContainerDefaults(int memoryMb, int maxPids) {}

    TaskRun(Task task, String executorId, String handle, ContainerRuntime runtime, BbsLink bbs,
            ResultDelivery results, TaskLog taskLog, AgentMetrics metrics, ContainerDefaults defaults, Ended ended) {
        this.task = task;
        this.executorId = executorId;
        this.handle = handle;
        this.runtime = runtime;
        this.bbs = bbs;
        this.results = results;
        this.taskLog = taskLog;
        this.metrics = metrics;
        this.defaults = defaults;
        this.ended = ended;
        this.claimedNanos = System.nanoTime();
    }

    String guid() {
        return task.getGuid();
    }

    /** Whether the claim reached this agent longer than {@code age} ago. */
    boolean startedMoreThan(Duration age) {
        return System.nanoTime() - claimedNanos > age.toNanos();
    }

    /**
     * Stops the task's container (SIGTERM, SIGKILL after {@code grace}) and reports it failed with {@code reason}
     * unless it has already ended. Safe from any thread, at any point of the run.
     */
    void stop(Duration grace, String reason) {
        if (stopReason.isPresent()) {
            return;
        }
        stopReason = Optional.of(reason);
        container.ifPresent(c -> c.stop(grace, reason));
    }

    @Override
    public void run() {
        MDC.put("task_guid", task.getGuid());
        try {
            runTask();
        } catch (RuntimeException e) {
            log.error("task {} run failed unexpectedly", task.getGuid(), e);
            complete(true, "executor error: " + e.getMessage(), "");
        } finally {
            container.ifPresent(Container::close);
            taskLog.close();
            ended.ended(this);
            MDC.remove("task_guid");
        }
    }

    private void runTask() {
        Container created;
        try {
            created = runtime.create(spec());
        } catch (ContainerException.InsufficientResources e) {
            taskLog.executor("rejected: " + e.getMessage());
            reject(e.getMessage());
            return;
        } catch (ContainerException e) {
            taskLog.executor("container not created: " + e.getMessage());
            complete(true, "container could not be created: " + e.getMessage(), "");
            return;
        }
        container = Optional.of(created);
        if (stopReason.isPresent()) {
            complete(true, stopReason.get(), "");
            return;
        }
        if (!started(created)) {
            return;
        }
        ExitOutcome outcome;
        try {
            // written first, so the task's own lines follow it in the log
            taskLog.executor("starting the process in container " + created.handle());
            created.start(taskLog);
            metrics.processStarted(System.nanoTime() - claimedNanos);
            outcome = created.await();
        } catch (ContainerException e) {
            taskLog.executor("process not started: " + e.getMessage());
            complete(true, "process could not be started: " + e.getMessage(), "");
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            created.stop(Duration.ZERO, "executor shutting down");
            complete(true, "executor shutting down", "");
            return;
        }
        String result = readResult(created);
        taskLog.executor(outcome.succeeded() ? "exited with status 0" : outcome.reason());
        metrics.taskEnded(outcome);
        complete(!outcome.succeeded(), outcome.reason(), result);
    }

    /**
     * StartTask; false when the task is not to run: the BBS refused (cancelled meanwhile, taken away), or no BBS
     * answered through {@link #START_ATTEMPTS} attempts. In the second case a StartTask may still have landed, leaving
     * the task Running under this (present) executor where the converger would never touch it; so the task is
     * completed as failed through the result delivery, which keeps trying until a BBS takes it.
     */
    private boolean started(Container created) {
        StartTaskRequest request = StartTaskRequest.newBuilder().setGuid(task.getGuid()).setExecutorId(executorId)
                .setContainerHandle(created.handle()).build();
        for (int attempt = 1; ; attempt++) {
            try {
                bbs.tasks().startTask(request);
                return true;
            } catch (StatusRuntimeException e) {
                if (!BbsLink.unreachable(e)) {
                    log.info("StartTask for task {} refused ({}); not running it", task.getGuid(), e.getStatus());
                    taskLog.executor("not started: " + e.getStatus().getCode() + " "
                            + e.getStatus().getDescription());
                    if (!notOurs(e)) {
                        // refused for another reason than "no longer yours": give it back rather than leave it Claimed
                        reject("StartTask refused: " + e.getStatus().getCode() + " "
                                + e.getStatus().getDescription());
                    }
                    return false;
                }
                if (attempt >= START_ATTEMPTS || stopReason.isPresent()) {
                    log.warn("no BBS took StartTask for task {}; failing it instead of running it", task.getGuid());
                    taskLog.executor("not started: no BBS answered StartTask");
                    complete(true, NO_START, "");
                    return false;
                }
                pause(Duration.ofMillis(200L * attempt));
            }
        }
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String readResult(Container created) {
        String file = task.getDefinition().getResultFile();
        if (file.isEmpty()) {
            return "";
        }
        Optional<Path> path = created.hostPath(file);
        if (path.isEmpty()) {
            taskLog.executor("result file " + file + " is outside the task directory; no result read");
            return "";
        }
        try {
            return ResultFile.read(path.get());
        } catch (IOException e) {
            taskLog.executor("result file " + file + " could not be read: " + e.getMessage());
            return "";
        }
    }

    private void reject(String reason) {
        try {
            bbs.tasks().rejectTask(RejectTaskRequest.newBuilder().setGuid(task.getGuid()).setExecutorId(executorId)
                    .setReason(reason).build());
        } catch (StatusRuntimeException e) {
            // unreachable: the converger demotes the claim after its timeout; refused: it is no longer ours
            log.warn("RejectTask for task {} failed: {}", task.getGuid(), e.getStatus());
        }
    }

    private void complete(boolean failed, String reason, String result) {
        // a stopped task reports why it was stopped, whatever its process did on the way down
        boolean stopped = stopReason.isPresent();
        CompleteTaskRequest request = CompleteTaskRequest.newBuilder()
                .setGuid(task.getGuid())
                .setExecutorId(executorId)
                .setFailed(failed || stopped)
                .setFailureReason(stopped ? stopReason.get() : failed ? reason : "")
                .setResult(result)
                .build();
        if (stopped && !stopReason.get().equals(ExecutorAgent.SHUTTING_DOWN)) {
            // stopped on the BBS's word (cancelled, completed elsewhere, taken away): the task is no longer ours to
            // complete, and a completion could only land on a later claim of it by this executor, failing that attempt
            log.info("task {} stopped: {}; not reporting it", task.getGuid(), stopReason.get());
            return;
        }
        results.report(request);
    }

    private ContainerSpec spec() {
        TaskDefinition definition = task.getDefinition();
        Command command = definition.getCommand();
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvironmentVariable variable : command.getEnvList()) {
            env.put(variable.getName(), variable.getValue());
        }
        env.putIfAbsent("CORKBOARD_TASK_GUID", task.getGuid());
        int memory = definition.getResources().getMemoryMb() > 0 ? definition.getResources().getMemoryMb()
                : defaults.memoryMb();
        int pids = definition.getResources().getMaxPids() > 0 ? definition.getResources().getMaxPids()
                : defaults.maxPids();
        return new ContainerSpec(task.getGuid(), handle, command.getPath(), command.getArgsList(), env,
                command.getDir(), memory, pids, definition.getResources().getCpuWeight(),
                Duration.ofMillis(definition.getTimeoutMs()), definition.getNetwork(), definition.getRootFs());
    }

    /** Whether the failure of a call means "not ours any more" rather than "try again". */
    static boolean notOurs(StatusRuntimeException e) {
        Status.Code code = e.getStatus().getCode();
        return code == Status.Code.FAILED_PRECONDITION || code == Status.Code.NOT_FOUND
                || code == Status.Code.PERMISSION_DENIED;
    }
}
