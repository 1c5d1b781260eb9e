package dev.corkboard.bbs.callback;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Sends one callback request with the JDK HTTP client: a POST of a JSON body, bounded by the request timeout (which
 * also bounds connecting). Redirects are not followed (a 3xx is an answer like any other) and HTTP/1.1 is used, the
 * one version every receiver speaks. Never throws for what the network does: every outcome is an
 * {@link AttemptResult}.
 */
final class CallbackPoster {

    private final HttpClient client;
    private final Duration requestTimeout;

    CallbackPoster(Duration requestTimeout) {
        this.requestTimeout = requestTimeout;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(requestTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /**
     * POSTs {@code json} to {@code url}.
     *
     * @throws InterruptedException when the calling worker is interrupted (the component is closing); the request
     *     may or may not have reached the receiver
     */
    AttemptResult post(String url, String json) throws InterruptedException {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                    .timeout(requestTimeout)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8))
                    .build();
            HttpResponse<Void> response = client.send(request, HttpResponse.BodyHandlers.discarding());
            return new AttemptResult.Answered(response.statusCode());
        } catch (IOException e) {
            return new AttemptResult.Failed(e);
        } catch (IllegalArgumentException e) {
            // a URL the state machine accepted but the client cannot use (e.g. a host name with '_'): not retried
            return new AttemptResult.Failed(e);
        }
    }
}
