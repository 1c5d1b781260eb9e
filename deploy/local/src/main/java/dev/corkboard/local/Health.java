package dev.corkboard.local;

import com.google.gson.annotations.SerializedName;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;

/** What {@code status} says of a member. */
enum Health {
    /** Its process runs and its health endpoint answers 200. */
    @SerializedName("up")
    UP,
    /** Its process runs but its health endpoint does not answer 200 (starting, or cut off from etcd). */
    @SerializedName("unhealthy")
    UNHEALTHY,
    /** No process of it runs. */
    @SerializedName("down")
    DOWN;

    // HTTP/1.1: etcd serves gRPC and HTTP on one port, and an h2c upgrade buys nothing for one GET.
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofMillis(500))
            .build();

    // Short: a new etcd member accepts connections a while before it answers, and a hanging request would make
    // waiting for health poll at this pace rather than at the poll interval's.
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(1);

    static Health of(Member member) throws InterruptedException {
        if (!MemberProcess.isRunning(member)) {
            return DOWN;
        }
        return answers(member.healthUrl()) ? UP : UNHEALTHY;
    }

    String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    private static boolean answers(String url) throws InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(REQUEST_TIMEOUT).GET().build();
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        }
    }
}
