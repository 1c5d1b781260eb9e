package dev.corkboard.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running etcd cluster of one or more members on loopback ports, bootstrapped statically: every
 * member is told every peer URL up front. Members can be killed, stopped and restarted one by one;
 * a restarted member rejoins with its old data. {@link #close()} kills everything and deletes all
 * data.
 */
public final class EtcdCluster implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EtcdCluster.class);
    private static final int PORT_ATTEMPTS = 3;
    private static final Duration LEADER_TIMEOUT = Duration.ofSeconds(10);
    private static final long POLL_MILLIS = 50;

    private final List<EtcdMember> members;

    private EtcdCluster(List<EtcdMember> members) {
        this.members = List.copyOf(members);
    }

    /** Starts a one-member cluster; see {@link #of(int, List)} for failures. */
    public static EtcdCluster single() {
        return of(1);
    }

    /** Starts a cluster of {@code size} members; see {@link #of(int, List)} for failures. */
    public static EtcdCluster of(int size) {
        return of(size, List.of());
    }

    /**
     * Starts a cluster of {@code size} members and returns once every member reports healthy. The
     * whole start is retried on fresh ports when a port turns out to be taken.
     *
     * @param extraFlags etcd flags given to every member after the testkit's own, overriding them
     * @throws IllegalStateException at once when this machine has neither an etcd binary nor a
     *     Docker engine (see {@link EtcdBinary#NOT_FOUND_MESSAGE})
     * @throws UnsupportedOperationException when {@code size > 1} and only Docker is available
     * @throws EtcdStartException when a member does not come up; all members are then closed
     */
    public static EtcdCluster of(int size, List<String> extraFlags) {
        return start(EtcdBinary.locate(), size, extraFlags);
    }

    static EtcdCluster start(EtcdRuntime runtime, int size, List<String> extraFlags) {
        if (size < 1) {
            throw new IllegalArgumentException("an etcd cluster needs at least one member, not " + size);
        }
        if (runtime instanceof EtcdRuntime.Docker && size > 1) {
            throw new UnsupportedOperationException(
                    "the Docker fallback runs single-member etcd clusters only; for a " + size
                            + "-member cluster install the Debian package etcd-server or set ETCD_BIN");
        }
        for (int attempt = 1; ; attempt++) {
            List<EtcdMember> members = create(runtime, size, extraFlags);
            try {
                startTogether(members);
                log.info("etcd cluster up: {}", members);
                return new EtcdCluster(members);
            } catch (EtcdStartException e) {
                closeAll(members);
                if (!e.addressInUse() || attempt >= PORT_ATTEMPTS) {
                    throw e;
                }
                log.info("a port of the etcd cluster was taken; retrying on fresh ports");
            } catch (RuntimeException | Error e) {
                closeAll(members);
                throw e;
            }
        }
    }

    private static List<EtcdMember> create(EtcdRuntime runtime, int size, List<String> extraFlags) {
        int[] ports = FreePorts.pick(2 * size);
        String token = EtcdMember.newClusterToken();
        List<String> names = new ArrayList<>();
        List<String> entries = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            names.add("etcd-" + i);
            entries.add(names.get(i) + "=" + MemberSpec.loopbackUrl(ports[2 * i + 1]));
        }
        String initialCluster = String.join(",", entries);
        List<EtcdMember> members = new ArrayList<>();
        try {
            for (int i = 0; i < size; i++) {
                MemberSpec spec =
                        new MemberSpec(
                                names.get(i), ports[2 * i], ports[2 * i + 1], initialCluster, token, extraFlags);
                members.add(new EtcdMember(spec, runtime, false));
            }
            return members;
        } catch (RuntimeException e) {
            closeAll(members);
            throw e;
        }
    }

    /**
     * Starts all members at once, because each waits for a quorum before it reports healthy. The
     * first failure kills the others, so nobody waits out the full timeout for a doomed quorum.
     */
    private static void startTogether(List<EtcdMember> members) {
        ExecutorService starters =
                Executors.newFixedThreadPool(
                        members.size(),
                        task -> {
                            Thread thread = new Thread(task, "etcd-starter");
                            thread.setDaemon(true);
                            return thread;
                        });
        try {
            CompletionService<EtcdMember> started = new ExecutorCompletionService<>(starters);
            members.forEach(member -> started.submit(member::start));
            RuntimeException first = null;
            for (int i = 0; i < members.size(); i++) {
                try {
                    started.take().get();
                } catch (ExecutionException e) {
                    RuntimeException cause =
                            e.getCause() instanceof RuntimeException r
                                    ? r
                                    : new IllegalStateException(e.getCause());
                    if (first == null) {
                        first = cause;
                        members.forEach(EtcdMember::abortStart);
                    } else if (cause != first) {
                        first.addSuppressed(cause);
                    }
                }
            }
            if (first != null) {
                throw first;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            members.forEach(EtcdMember::abortStart);
            throw new EtcdStartException("interrupted while starting the etcd cluster", false, e);
        } finally {
            starters.shutdownNow();
        }
    }

    /** All members, in index order, running or not. */
    public List<EtcdMember> members() {
        return members;
    }

    /** @throws IndexOutOfBoundsException when there is no member {@code index} */
    public EtcdMember member(int index) {
        return members.get(index);
    }

    /** Every member's client URL, running or not; stable across restarts. */
    public List<String> clientEndpoints() {
        return members.stream().map(EtcdMember::clientEndpoint).toList();
    }

    /** {@link #clientEndpoints()} joined with commas, as etcdctl's {@code --endpoints} wants. */
    public String endpointsCsv() {
        return String.join(",", clientEndpoints());
    }

    /**
     * The raft leader among the running members, waiting up to 10 s for an election to finish
     * (e.g. right after the old leader was killed). Among members that each claim leadership, the
     * one in the highest term wins.
     *
     * @throws IllegalStateException when no running member is leader within 10 s, e.g. because a
     *     quorum is down; the message lists what each member reported
     */
    public EtcdMember leader() {
        long deadline = System.nanoTime() + LEADER_TIMEOUT.toNanos();
        while (true) {
            EtcdMember leader = null;
            long leaderTerm = -1;
            List<String> seen = new ArrayList<>();
            for (EtcdMember member : members) {
                Optional<MemberStatus> status = member.isRunning() ? member.tryStatus() : Optional.empty();
                seen.add(member.name() + "=" + status.map(Object::toString).orElse("no answer"));
                if (status.isPresent() && status.get().isLeader() && status.get().raftTerm() > leaderTerm) {
                    leader = member;
                    leaderTerm = status.get().raftTerm();
                }
            }
            if (leader != null) {
                return leader;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException(
                        "no running etcd member is raft leader after " + LEADER_TIMEOUT.toSeconds() + " s: "
                                + seen.stream().collect(Collectors.joining(", ")));
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while looking for the etcd leader", e);
            }
        }
    }

    /** Kills every member and deletes all data. Idempotent; never throws. */
    @Override
    public void close() {
        closeAll(members);
    }

    private static void closeAll(List<EtcdMember> members) {
        members.forEach(EtcdMember::close);
    }

    @Override
    public String toString() {
        return "EtcdCluster" + members;
    }
}
