package dev.corkboard.executor.agent;

import dev.corkboard.bbs.server.BbsConfig;
import dev.corkboard.bbs.server.BbsServer;
import dev.corkboard.proto.v1.Command;
import dev.corkboard.proto.v1.EnvironmentVariable;
import dev.corkboard.proto.v1.Resources;
import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskDefinition;
import dev.corkboard.proto.v1.TaskState;
import dev.corkboard.stager.BbsEndpoints;
import dev.corkboard.stager.ClientTls;
import dev.corkboard.stager.StagerClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.awaitility.Awaitility;

/**
 * A BBS replica in this JVM against a real etcd (under a prefix of its own), a stager client, and executor agents
 * started on demand with their own directories under a temporary folder. The BBS can be stopped and started again on
 * the same port.
 */
final class AgentCluster implements AutoCloseable {

    /** A short presence TTL, so that a lapsed presence shows within a test. */
    static final int EXECUTOR_TTL_SECONDS = 3;

    final String prefix = "/corkboard-test/" + UUID.randomUUID();
    private final String etcdEndpoints;
    private final Path root;
    private final List<Integer> bbsPorts = new ArrayList<>();
    private final List<String> bbsFlags;
    private final List<Optional<BbsServer>> replicas = new ArrayList<>();
    private final StagerClient client;
    private final List<ExecutorAgent> agents = new ArrayList<>();

    AgentCluster(String etcdEndpoints, Path root, int bbsReplicas) {
        this(etcdEndpoints, root, bbsReplicas, List.of(), Optional.empty());
    }

    /** With extra BBS flags (TLS, say) and the stager client's TLS. */
    AgentCluster(String etcdEndpoints, Path root, int bbsReplicas, List<String> bbsFlags,
            Optional<ClientTls> clientTls) {
        this.etcdEndpoints = etcdEndpoints;
        this.root = root;
        this.bbsFlags = List.copyOf(bbsFlags);
        for (int i = 0; i < bbsReplicas; i++) {
            bbsPorts.add(freePort());
            replicas.add(Optional.empty());
        }
        startBbs();
        this.client = StagerClient.connect(BbsEndpoints.parse(bbsEndpoint()), clientTls, Duration.ofSeconds(10));
    }

    /** Every BBS replica's endpoint, comma-separated. */
    String bbsEndpoint() {
        return String.join(",", bbsPorts.stream().map(port -> "127.0.0.1:" + port).toList());
    }

    StagerClient client() {
        return client;
    }

    /** The first running replica. */
    BbsServer bbs() {
        return replicas.stream().flatMap(Optional::stream).findFirst().orElseThrow();
    }

    /** Starts every replica that is not running. */
    void startBbs() {
        for (int i = 0; i < replicas.size(); i++) {
            if (replicas.get(i).isEmpty()) {
                startBbs(i);
            }
        }
    }

    void startBbs(int replica) {
        List<String> flags = new ArrayList<>(List.of("--listen=127.0.0.1:" + bbsPorts.get(replica),
                "--etcd-endpoints=" + etcdEndpoints, "--etcd-prefix=" + prefix, "--metrics-listen=off",
                "--shutdown-grace-period=1s", "--executor-ttl=" + EXECUTOR_TTL_SECONDS + "s"));
        flags.addAll(bbsFlags);
        BbsConfig config = BbsConfig.parse(flags.toArray(new String[0]), Map.of());
        try {
            replicas.set(replica, Optional.of(BbsServer.start(config)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops every replica. */
    void stopBbs() {
        for (int i = 0; i < replicas.size(); i++) {
            stopBbs(i);
        }
    }

    void stopBbs(int replica) {
        replicas.get(replica).ifPresent(BbsServer::close);
        replicas.set(replica, Optional.empty());
    }

    /**
     * The arguments an agent named {@code id} starts with here (its directories under the root, named by the id), more
     * arguments overriding them; an empty id leaves the id to the agent.
     */
    List<String> agentArguments(String id, String... more) {
        Path dir = root.resolve(id);
        List<String> args = new ArrayList<>(List.of("--bbs=" + bbsEndpoint(),
                "--listen=127.0.0.1:0", "--metrics-listen=off", "--work-dir=" + dir, "--claim-wait=2s",
                "--call-timeout=3s", "--drain-timeout=5s", "--memory-mb=1024", "--containers=4"));
        if (!id.isEmpty()) {
            args.add(0, "--executor-id=" + id);
        }
        for (String override : more) {
            String name = override.substring(0, override.indexOf('='));
            args.removeIf(arg -> arg.startsWith(name + "="));
            args.add(override);
        }
        return args;
    }

    ExecutorAgent startAgent(String id, String... more) {
        return startAgent(agentArguments(id, more));
    }

    /** Starts an agent with exactly these arguments. */
    ExecutorAgent startAgent(List<String> args) {
        ExecutorConfig config = ExecutorConfig.parse(args.toArray(new String[0]), Map.of());
        try {
            ExecutorAgent agent = ExecutorAgent.start(config);
            agents.add(agent);
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(agent::isClaiming);
            return agent;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Task desire(String guid, TaskDefinition definition) {
        return client.desire(guid, "tests", definition);
    }

    Task awaitCompleted(String guid, Duration within) {
        Awaitility.await().atMost(within).pollInterval(Duration.ofMillis(50))
                .until(() -> client.get(guid).getState() == TaskState.COMPLETED);
        return client.get(guid);
    }

    static TaskDefinition shell(String script) {
        return TaskDefinition.newBuilder().setCommand(Command.newBuilder().setPath("/bin/sh").addArgs("-c")
                .addArgs(script)).build();
    }

    static TaskDefinition shell(String script, Map<String, String> env, String resultFile, Resources resources) {
        Command.Builder command = Command.newBuilder().setPath("/bin/sh").addArgs("-c").addArgs(script);
        env.forEach((name, value) -> command.addEnv(EnvironmentVariable.newBuilder().setName(name).setValue(value)));
        return TaskDefinition.newBuilder().setCommand(command).setResultFile(resultFile).setResources(resources)
                .build();
    }

    Path root() {
        return root;
    }

    @Override
    public void close() {
        for (int i = agents.size() - 1; i >= 0; i--) {
            agents.get(i).close();
        }
        client.close();
        stopBbs();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
