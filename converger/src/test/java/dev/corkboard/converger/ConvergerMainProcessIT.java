package dev.corkboard.converger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corkboard.testkit.EtcdCluster;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The distribution: two convergers started from the shaded jar, as deploy/bin/converger starts them. */
class ConvergerMainProcessIT {

    private static final Duration START = Duration.ofSeconds(60);
    /** The lease TTL the processes run with: a follower that waited it out would need about this long. */
    private static final int LEASE_TTL_SECONDS = 30;
    private static final Pattern LEADER = Pattern.compile("(?m)^corkboard_converger_leader (\\S+)$");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    /** One converger process and the port of its metrics endpoint. */
    private record Child(String id, Process process, int metricsPort, Path log) implements AutoCloseable {

        Optional<Double> leaderGauge() {
            try {
                Matcher matcher = LEADER.matcher(get(metricsPort, "/metrics"));
                return matcher.find() ? Optional.of(Double.parseDouble(matcher.group(1))) : Optional.empty();
            } catch (IOException | InterruptedException e) {
                return Optional.empty();
            }
        }

        boolean leads() {
            return leaderGauge().filter(value -> value == 1.0).isPresent();
        }

        @Override
        public void close() throws InterruptedException {
            if (process.isAlive()) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void oneOfTwoProcessesLeadsAndOnSigtermTheOtherLeadsLongBeforeTheLeaseTtl() throws Exception {
        try (EtcdCluster etcd = EtcdCluster.single();
                Child first = launch("it-first", etcd);
                Child second = launch("it-second", etcd)) {
            await().atMost(START).until(() -> first.leaderGauge().isPresent() && second.leaderGauge().isPresent()
                    && first.leads() != second.leads());
            Child leader = first.leads() ? first : second;
            Child follower = leader == first ? second : first;
            String metrics = get(leader.metricsPort(), "/metrics");
            for (String meter : List.of("corkboard_converger_passes_total{ending=\"completed\"}",
                    "corkboard_converger_pass_duration_seconds_count", "corkboard_converger_repairs_total{repair=\"kicked\"}",
                    "corkboard_converger_tasks{state=\"pending\"}")) {
                assertTrue(metrics.contains(meter), meter + " in\n" + metrics);
            }
            assertEquals("ok\n", get(follower.metricsPort(), "/healthz"), "a follower is healthy");

            leader.process().destroy(); // SIGTERM
            // the lease is revoked at once; waiting out the TTL would take 30 s, so a bound under it proves the revoke
            await().atMost(Duration.ofSeconds(LEASE_TTL_SECONDS / 2)).until(follower::leads);

            assertTrue(leader.process().waitFor(30, TimeUnit.SECONDS), "the leader exits after SIGTERM");
            int code = leader.process().exitValue();
            assertTrue(code == 0 || code == 143, "exit code " + code);
            String output = Files.readString(leader.log());
            assertTrue(output.contains("\"formattedMessage\":\"converger " + leader.id() + " stopped\""), output);
            assertTrue(output.lines().filter(line -> !line.isBlank()).allMatch(line -> line.startsWith("{")),
                    "every log line is a JSON object:\n" + output);
        }
    }

    @Test
    void theLauncherRefusesABadSettingNamingItAndExitsWithStatusTwo() throws Exception {
        ProcessBuilder builder = new ProcessBuilder(Path.of("..", "deploy", "bin", "converger").toString(),
                "--kick", "5m", "--pending-expiry", "5m").redirectErrorStream(true);
        builder.environment().put("CORKBOARD_CONVERGER_JAR", jar().toString());
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, process.exitValue(), output);
        assertTrue(output.contains("--kick: expected less than --pending-expiry (5m)"), output);
    }

    private Child launch(String id, EtcdCluster etcd) throws IOException {
        int metricsPort = freePort();
        Path log = dir.resolve(id + ".log");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx128m", "-jar", jar().toString(), "--converger-id", id,
                "--etcd-prefix", "/converger-it", "--interval", "500ms", "--lease-ttl", LEASE_TTL_SECONDS + "s")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().put("CORKBOARD_ETCD_ENDPOINTS", etcd.endpointsCsv());
        builder.environment().put("CORKBOARD_METRICS_LISTEN", "127.0.0.1:" + metricsPort);
        return new Child(id, builder.start(), metricsPort, log);
    }

    private static Path jar() {
        Path jar = Path.of(System.getProperty("corkboard.converger.jar", "target/missing.jar"));
        assertTrue(Files.isRegularFile(jar), "the shaded jar is built before integration tests: " + jar);
        return jar;
    }

    private static String get(int port, String path) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        return response.body();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
