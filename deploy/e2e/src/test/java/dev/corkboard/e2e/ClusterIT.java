package dev.corkboard.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corkboard.converger.rules.ConvergenceRules;
import dev.corkboard.proto.v1.ListTasksRequest;
import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskState;
import dev.corkboard.stager.BbsEndpoints;
import dev.corkboard.stager.CompletionListener;
import dev.corkboard.stager.StagerClient;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A whole cluster, each member its own process as {@code deploy/local/cluster} starts it: three etcd members, two BBS
 * replicas, two executors running tasks in the sandbox and two convergers. Two stagers, each talking to both BBS
 * replicas, desire tasks and resolve their completions. The tests run in order on the one cluster and each leaves it
 * able to run tasks: killed members are started again.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {

    /**
     * How long a batch may take on a slow, shared machine: 200 tasks take about 30 s on two busy cores, and the tasks
     * of a killed executor fail after its presence TTL (5 s here) and a converger pass.
     */
    private static final Duration ALL_DONE = Duration.ofMinutes(2);

    /**
     * A short executor TTL, so the killed executor's tasks fail soon after it dies; the surviving executor moves to the
     * other BBS replica well within it.
     */
    @RegisterExtension
    static final LocalClusterExtension local = LocalClusterExtension.up("--etcd", "3", "--bbs", "2", "--executors",
            "2", "--convergers", "2", "--executor-ttl", "5s");

    private static StagerClient stagerA;
    private static StagerClient stagerB;

    @BeforeAll
    static void connectTwoStagers() {
        BbsEndpoints bbs = BbsEndpoints.parse(local.cluster().status().bbsCsv());
        stagerA = StagerClient.connect(bbs);
        stagerB = StagerClient.connect(bbs);
    }

    @AfterAll
    static void disconnect() {
        for (StagerClient stager : new StagerClient[] {stagerA, stagerB}) {
            if (stager != null) {
                stager.close();
            }
        }
    }

    @Test
    @Order(1)
    void twoHundredTasksCompleteWithTheirOwnResultsAndEachReachesOneStagerOnce() {
        String domain = "many";
        List<EchoTask> tasks = IntStream.rangeClosed(1, 200).mapToObj(EchoTask::quick).toList();
        Resolutions resolutions = new Resolutions();
        try (CompletionListener a = stagerA.listen(domain, resolutions);
                CompletionListener b = stagerB.listen(domain, resolutions)) {
            desireAll(domain, tasks);
            awaitAllResolved(domain, tasks, resolutions);
        }
        assertAllSucceeded(domain, tasks, resolutions);
    }

    @Test
    @Order(2)
    void killingABbsReplicaAndAnExecutorMidRunFailsOnlyTheDeadExecutorsTasksAndSaysWhy() {
        String domain = "faults";
        // the slow ones are still running when the members die, whatever a busy machine makes of the timing
        List<EchoTask> tasks = IntStream.rangeClosed(1, 56)
                .mapToObj(n -> n <= 10 ? EchoTask.slow(n, 15) : EchoTask.quick(n))
                .toList();
        Set<String> slow = tasks.stream().filter(task -> task.sleepSeconds() > 0).map(task -> task.guid(domain))
                .collect(Collectors.toSet());
        ClusterStatus status = local.cluster().status();
        Resolutions resolutions = new Resolutions();
        String victim;
        Set<String> onVictimAfterKill;
        try (CompletionListener a = stagerA.listen(domain, resolutions);
                CompletionListener b = stagerB.listen(domain, resolutions)) {
            desireAll(domain, tasks);
            victim = await("a slow task running").atMost(ALL_DONE)
                    .until(() -> runningOneOf(domain, slow), Optional::isPresent).orElseThrow().getExecutorId();

            local.cluster().kill(status.memberWithId(victim).name());
            local.cluster().kill("bbs-1");

            onVictimAfterKill = unfinishedOn(domain, victim);
            assertFalse(onVictimAfterKill.isEmpty(), "the killed executor " + victim + " had tasks in flight");
            awaitAllResolved(domain, tasks, resolutions);
        }

        assertAll(tasks.stream().map(task -> () -> {
            Task outcome = resolutions.outcome(task.guid(domain));
            if (outcome.getFailed()) {
                assertEquals(ConvergenceRules.EXECUTOR_DISAPPEARED, outcome.getFailureReason(), outcome::toString);
                assertEquals(victim, outcome.getExecutorId(),
                        () -> "only the killed executor's tasks fail: " + outcome);
            } else {
                assertEquals(task.expectedResult(), outcome.getResult(), () -> "result of " + outcome);
            }
        }));
        assertAll(onVictimAfterKill.stream().map(guid -> () -> assertTrue(resolutions.outcome(guid).getFailed(),
                () -> "in flight on the killed executor, yet completed: " + resolutions.outcome(guid))));

        // the next test runs on the whole cluster again
        local.cluster().start("bbs-1");
        local.cluster().start(status.memberWithId(victim).name());
    }

    @Test
    @Order(3)
    void tasksDesiredAfterTheEtcdLeaderIsKilledComplete() {
        ClusterStatus status = local.cluster().status();
        String leader = EtcdLeader.endpoint(status.etcdEndpoints(), ALL_DONE);
        local.cluster().kill(status.etcdMemberAt(leader).name());

        // desired at once, while the two survivors elect a new leader
        String domain = "after-leader-loss";
        List<EchoTask> tasks = IntStream.rangeClosed(1, 20).mapToObj(EchoTask::quick).toList();
        Resolutions resolutions = new Resolutions();
        try (CompletionListener a = stagerA.listen(domain, resolutions);
                CompletionListener b = stagerB.listen(domain, resolutions)) {
            desireAll(domain, tasks);
            awaitAllResolved(domain, tasks, resolutions);
        }
        assertAllSucceeded(domain, tasks, resolutions);
    }

    /**
     * Desires every task, half through each stager. A desire is idempotent, so one that fails while a member is
     * down (UNAVAILABLE during an etcd election) is simply sent again.
     */
    private static void desireAll(String domain, List<EchoTask> tasks) {
        for (EchoTask task : tasks) {
            StagerClient stager = task.number() % 2 == 0 ? stagerA : stagerB;
            await().atMost(ALL_DONE).ignoreException(StatusRuntimeException.class)
                    .untilAsserted(() -> stager.desire(task.guid(domain), domain, task.definition()));
        }
    }

    /**
     * Waits until every task has reached a stager and none is left in the domain, then checks that each reached one
     * exactly once. Once a task is removed it can be offered to no one again, and a stager's handler has returned
     * before its task is removed, so no late second handling can follow the check.
     */
    private static void awaitAllResolved(String domain, List<EchoTask> tasks, Resolutions resolutions) {
        await("every task of " + domain + " reaches a stager").atMost(ALL_DONE)
                .until(resolutions::count, count -> count == tasks.size());
        await("no task of " + domain + " left").atMost(ALL_DONE).ignoreException(StatusRuntimeException.class)
                .until(() -> stagerA.list(ListTasksRequest.newBuilder().setDomain(domain).build()), List::isEmpty);
        Map<String, Integer> notOnce = tasks.stream().map(task -> task.guid(domain))
                .filter(guid -> resolutions.times(guid) != 1)
                .collect(Collectors.toMap(Function.identity(), resolutions::times));
        assertEquals(Map.of(), notOnce, "tasks (and times) that did not reach a stager exactly once");
    }

    /** Every task succeeded with the result its command writes. */
    private static void assertAllSucceeded(String domain, List<EchoTask> tasks, Resolutions resolutions) {
        assertAll(tasks.stream().map(task -> () -> {
            Task outcome = resolutions.outcome(task.guid(domain));
            assertFalse(outcome.getFailed(), () -> "task failed: " + outcome);
            assertEquals(task.expectedResult(), outcome.getResult(), () -> "result of " + outcome);
        }));
    }

    /** The executor's tasks that are claimed or running now. */
    private static Set<String> unfinishedOn(String domain, String executor) {
        return stagerA.list(ListTasksRequest.newBuilder().setDomain(domain).setExecutorId(executor).build()).stream()
                .filter(task -> task.getState() == TaskState.CLAIMED || task.getState() == TaskState.RUNNING)
                .map(Task::getGuid)
                .collect(Collectors.toSet());
    }

    /** One of these tasks that is running now, if any is. */
    private static Optional<Task> runningOneOf(String domain, Set<String> guids) {
        return stagerA.list(ListTasksRequest.newBuilder().setDomain(domain).setState(TaskState.RUNNING).build())
                .stream().filter(task -> guids.contains(task.getGuid())).findFirst();
    }
}
