package dev.corkboard.stager.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corkboard.bbs.server.BbsConfig;
import dev.corkboard.bbs.server.BbsServer;
import dev.corkboard.bbs.state.TaskRequest;
import dev.corkboard.proto.v1.Capacity;
import dev.corkboard.proto.v1.ExecutorPresence;
import dev.corkboard.proto.v1.ExecutorServiceGrpc;
import dev.corkboard.proto.v1.HeartbeatRequest;
import dev.corkboard.proto.v1.LogLine;
import dev.corkboard.proto.v1.LogStream;
import dev.corkboard.stager.BbsChannel;
import dev.corkboard.stager.BbsEndpoints;
import dev.corkboard.stager.ClientTls;
import dev.corkboard.testkit.EtcdExtension;
import dev.corkboard.testkit.TestCertificates;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.NettyServerBuilder;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code cork --tls-ca … logs} talks TLS to the BBS and to the executor alike, trusting the same CA. */
class LogsOverTlsTest {

    @RegisterExtension
    static final EtcdExtension etcd = EtcdExtension.single();

    @TempDir
    static Path dir;

    static Path ca;
    static BbsServer bbs;
    static Server logServer;
    static final ExecutorCommandsTest.ScriptedLogs logs = new ExecutorCommandsTest.ScriptedLogs();

    @BeforeAll
    static void start() throws Exception {
        TestCertificates pki = new TestCertificates(dir);
        ca = pki.ca("ca");
        Path bbsCert = pki.server("bbs", ca);
        Path executorCert = pki.server("executor", ca);
        bbs = BbsServer.start(BbsConfig.parse(new String[] {"--listen=127.0.0.1:0",
            "--etcd-endpoints=" + String.join(",", etcd.endpoints()), "--etcd-prefix=/logs-tls-" + UUID.randomUUID(),
            "--metrics-listen=off", "--tls-cert=" + bbsCert, "--tls-key=" + pki.keyOf("bbs")}, Map.of()));
        logServer = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0),
                TlsServerCredentials.create(executorCert.toFile(), pki.keyOf("executor").toFile()))
                .addService(logs).build().start();
    }

    @AfterAll
    static void stop() throws Exception {
        logServer.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        bbs.close();
    }

    @Test
    void logsReachTheExecutorOverTlsWithTheBbsTrustSettings() {
        String address = "127.0.0.1:" + logServer.getPort();
        ManagedChannel channel = BbsChannel.open(BbsEndpoints.parse("127.0.0.1:" + bbs.port()),
                Optional.of(ClientTls.trusting(ca)));
        try {
            ExecutorServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .heartbeat(HeartbeatRequest.newBuilder().setPresence(ExecutorPresence.newBuilder()
                            .setExecutorId("cell-tls").setAddress(address)
                            .setCapacity(Capacity.newBuilder().setMemoryMb(1024).setDiskMb(1024).setContainers(2)))
                            .build());
        } finally {
            channel.shutdownNow();
        }
        assertEquals(0, cork("desire", "--domain", "tls", "--guid", "t-tls", "--", "true").exit());
        bbs.store().apply(new TaskRequest.Claim("t-tls", "cell-tls")).join();
        logs.written.put("t-tls", List.of(LogLine.newBuilder().setTaskGuid("t-tls").setTimestampMs(0)
                .setStream(LogStream.STDOUT).setText("secret hello").build()));

        ExecutorCommandsTest.Run run = cork("logs", "t-tls");

        assertEquals(0, run.exit(), run.err());
        assertEquals(List.of("1970-01-01T00:00:00.000Z stdout secret hello"), run.lines());
    }

    @Test
    void withoutTheTlsOptionsTheBbsIsNotReachedInPlaintext() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var line = Cork.commandLine();
        line.setOut(new PrintWriter(out));
        line.setErr(new PrintWriter(err));

        int exit = line.execute("--bbs", "127.0.0.1:" + bbs.port(), "--call-timeout", "2s", "logs", "t-any");

        assertEquals(Cork.BBS_ERROR, exit);
        assertTrue(err.toString().startsWith("cork: "), err.toString());
    }

    private static ExecutorCommandsTest.Run cork(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var line = Cork.commandLine();
        line.setOut(new PrintWriter(out));
        line.setErr(new PrintWriter(err));
        String[] all = new String[args.length + 4];
        all[0] = "--bbs";
        all[1] = "127.0.0.1:" + bbs.port();
        all[2] = "--tls-ca";
        all[3] = ca.toString();
        System.arraycopy(args, 0, all, 4, args.length);
        int exit = line.execute(all);
        return new ExecutorCommandsTest.Run(exit, out.toString(), err.toString());
    }
}
