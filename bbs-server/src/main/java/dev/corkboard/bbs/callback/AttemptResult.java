package dev.corkboard.bbs.callback;

/** What one HTTP request to a callback URL came back with. */
sealed interface AttemptResult {

    /** The receiver answered with this status code. */
    record Answered(int status) implements AttemptResult {}

    /** No answer: the connection failed, timed out, or the request could not be made at all. */
    record Failed(Throwable cause) implements AttemptResult {}
}
