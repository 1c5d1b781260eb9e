package dev.corkboard.executor.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corkboard.bbs.config.InvalidConfigException;
import dev.corkboard.proto.v1.Task;
import dev.corkboard.stager.ClientTls;
import dev.corkboard.stager.cli.Cork;
import dev.corkboard.testkit.EtcdExtension;
import dev.corkboard.testkit.TestCertificates;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Mutual TLS end to end: the agent is known by its certificate, and serves its logs over TLS. */
class AgentTlsTest {

    @RegisterExtension
    static final EtcdExtension etcd = EtcdExtension.single();

    @TempDir
    Path dir;

    private AgentCluster cluster;
    private Path ca;
    private Path agentCert;
    private Path stagerCert;
    private TestCertificates certificates;

    @BeforeEach
    void start() throws Exception {
        certificates = new TestCertificates(dir);
        ca = certificates.ca("ca");
        Path server = certificates.server("bbs", ca);
        agentCert = certificates.peer("cell-1", ca);
        stagerCert = certificates.client("stager", ca);
        cluster = new AgentCluster(String.join(",", etcd.endpoints()), dir.resolve("cluster"), 1,
                List.of("--tls-cert=" + server, "--tls-key=" + certificates.keyOf("bbs"), "--tls-client-ca=" + ca),
                Optional.of(ClientTls.mutual(ca, stagerCert, certificates.keyOf("stager"))));
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    @Test
    void theAgentTakesItsIdFromItsCertificateRunsTasksAndServesItsLogsOverTls() {
        cluster.startAgent(cluster.agentArguments("", "--work-dir=" + dir.resolve("cell-1"), "--tls-ca=" + ca,
                "--tls-cert=" + agentCert, "--tls-key=" + certificates.keyOf("cell-1")));

        cluster.desire("tls-1", AgentCluster.shell("echo over tls"));
        Task done = cluster.awaitCompleted("tls-1", Duration.ofSeconds(20));

        assertFalse(done.getFailed(), done.getFailureReason());
        assertEquals("cell-1", done.getExecutorId());
        StringWriter out = new StringWriter();
        CommandLine cork = Cork.commandLine();
        cork.setOut(new PrintWriter(out, true));
        cork.setErr(new PrintWriter(out, true));
        int exit = cork.execute("--bbs", cluster.bbsEndpoint(), "--tls-ca", ca.toString(), "--tls-cert",
                stagerCert.toString(), "--tls-key", certificates.keyOf("stager").toString(), "logs", "tls-1");
        assertEquals(0, exit, out.toString());
        assertTrue(out.toString().contains(" stdout over tls"), out.toString());
    }

    @Test
    void anExecutorIdOtherThanTheCertificatesIsRefusedAtStart() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ExecutorConfig.parse(
                new String[] {"--executor-id=cell-2", "--tls-ca=" + ca, "--tls-cert=" + agentCert,
                    "--tls-key=" + certificates.keyOf("cell-1")}, Map.of()));

        assertTrue(e.getMessage().contains("--executor-id: expected the CN of --tls-cert ('cell-1')"),
                e.getMessage());
    }
}
