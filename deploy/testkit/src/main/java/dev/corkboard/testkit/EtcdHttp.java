package dev.corkboard.testkit;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;

/** The two questions the testkit asks etcd over plain HTTP: are you healthy, who leads. */
final class EtcdHttp {

    private static final Pattern HEALTHY = Pattern.compile("\"health\"\\s*:\\s*\"?true\"?");

    // HTTP/1.1 because etcd multiplexes gRPC and HTTP on one port and h2c upgrades buy nothing here.
    private static final HttpClient http =
            HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofMillis(500))
                    .build();

    // Short, because etcd 3.4 accepts connections on its client port seconds before it answers on
    // it (a new member of a multi-member cluster first spends about a second per peer asking whether
    // it was already bootstrapped). A request left hanging there would make start() poll at the
    // timeout's pace instead of the poll interval's.
    private static final Duration HEALTH_TIMEOUT = Duration.ofMillis(500);
    private static final Duration STATUS_TIMEOUT = Duration.ofSeconds(1);

    private EtcdHttp() {}

    /** Whether {@code GET /health} answers 200 with {@code "health":"true"}; false on any error. */
    static boolean healthy(String endpoint) throws InterruptedException {
        HttpRequest request =
                HttpRequest.newBuilder(URI.create(endpoint + "/health"))
                        .timeout(HEALTH_TIMEOUT)
                        .GET()
                        .build();
        return send(request)
                .filter(response -> response.statusCode() == 200)
                .map(response -> HEALTHY.matcher(response.body()).find())
                .orElse(false);
    }

    /** The member's own status, or empty when it does not answer. */
    static Optional<MemberStatus> status(String endpoint) throws InterruptedException {
        HttpRequest request =
                HttpRequest.newBuilder(URI.create(endpoint + "/v3/maintenance/status"))
                        .timeout(STATUS_TIMEOUT)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{}"))
                        .build();
        return send(request)
                .filter(response -> response.statusCode() == 200)
                .flatMap(response -> MemberStatus.parse(response.body()));
    }

    private static Optional<HttpResponse<String>> send(HttpRequest request)
            throws InterruptedException {
        try {
            return Optional.of(http.send(request, HttpResponse.BodyHandlers.ofString()));
        } catch (IOException e) {
            // refused, reset or timed out: the member is not (yet) serving
            return Optional.empty();
        }
    }
}
