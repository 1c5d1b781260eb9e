package dev.corkboard.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Comparator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A member's temporary directory: its etcd data dir and the log of all its runs. */
final class MemberDirectory {

    private static final Logger log = LoggerFactory.getLogger(MemberDirectory.class);

    private final Path root;
    private final Path dataDir;
    private final Path logFile;

    private MemberDirectory(Path root) throws IOException {
        this.root = root;
        this.dataDir = root.resolve("data");
        this.logFile = Files.createFile(root.resolve("etcd.log"));
        ProcessReaper.watch(root);
    }

    /** @throws UncheckedIOException when the temporary directory cannot be created */
    static MemberDirectory create(String memberName) {
        try {
            return new MemberDirectory(Files.createTempDirectory("corkboard-etcd-" + memberName + "-"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory for etcd", e);
        }
    }

    Path dataDir() {
        return dataDir;
    }

    Path logFile() {
        return logFile;
    }

    /** Appends a marker line, so the runs of a restarted member can be told apart in the log. */
    void note(String event) {
        try {
            Files.writeString(
                    logFile,
                    "---- corkboard testkit " + Instant.now() + ": " + event + "\n",
                    StandardCharsets.UTF_8,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            log.debug("cannot write to {}", logFile, e);
        }
    }

    /** The last lines of the log; never throws. */
    String tail(int lines) {
        return LogTail.of(logFile, lines);
    }

    /** Forgets the member's data, for a first start that is retried on other ports. */
    void wipeData() {
        deleteTree(dataDir);
    }

    /** Deletes everything; failures are logged, not thrown. */
    void delete() {
        deleteTree(root);
        ProcessReaper.release(root);
    }

    private static void deleteTree(Path top) {
        if (!Files.exists(top)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(top)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException | UncheckedIOException e) {
            log.warn("could not delete {}", top, e);
        }
    }
}
