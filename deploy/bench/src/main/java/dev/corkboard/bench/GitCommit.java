package dev.corkboard.bench;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** The commit the benchmark runs from, so a result says which code it measured. */
final class GitCommit {

    private GitCommit() {}

    /**
     * {@code git describe --always --dirty} in the directory the benchmark's classes were loaded from (a short hash,
     * with "-dirty" when the checkout has uncommitted changes), or "unknown" outside a checkout or without git.
     */
    static String current() {
        try {
            Path code = Path.of(GitCommit.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Process git = new ProcessBuilder("git", "-C", code.getParent().toString(), "describe", "--always",
                    "--dirty", "--abbrev=12")
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!git.waitFor(5, TimeUnit.SECONDS)) {
                git.destroyForcibly();
                return "unknown";
            }
            return git.exitValue() == 0 && !out.isEmpty() ? out : "unknown";
        } catch (IOException | URISyntaxException | RuntimeException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }
}
