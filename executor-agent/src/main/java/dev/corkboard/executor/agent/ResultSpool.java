package dev.corkboard.executor.agent;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.corkboard.proto.v1.CompleteTaskRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Results that could not be delivered yet, kept on local disk so that neither a BBS outage nor an agent crash loses
 * them. A result is one file {@code <guid>.result} holding the CompleteTask request; it is written to a temporary
 * file, fsynced, renamed into place and the directory fsynced, so after a crash a result is either wholly there or
 * not at all (a leftover temporary file is ignored and removed). A result is removed only after a BBS accepted it or
 * said it can never apply.
 */
final class ResultSpool {

    private static final Logger log = LoggerFactory.getLogger(ResultSpool.class);
    private static final String SUFFIX = ".result";
    private static final Pattern GUID = Pattern.compile("^[a-zA-Z0-9_-]{1,128}$");

    private final Path dir;

    ResultSpool(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
            try (DirectoryStream<Path> temporary = Files.newDirectoryStream(dir, "*.tmp")) {
                for (Path leftover : temporary) {
                    Files.deleteIfExists(leftover);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use the spool directory " + dir, e);
        }
    }

    /** Writes the result durably; when this returns, a crash cannot lose it. */
    void put(CompleteTaskRequest result) throws IOException {
        Path target = file(result.getGuid());
        Path temporary = dir.resolve(result.getGuid() + SUFFIX + ".tmp");
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            ByteBuffer bytes = ByteBuffer.wrap(result.toByteArray());
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            channel.force(true);
        }
        Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDirectory();
    }

    /** Every spooled result, oldest file first; unreadable files are set aside as {@code .corrupt} and skipped. */
    List<CompleteTaskRequest> all() {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            stream.forEach(files::add);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the spool directory " + dir, e);
        }
        files.sort((a, b) -> Long.compare(modified(a), modified(b)));
        List<CompleteTaskRequest> results = new ArrayList<>();
        for (Path file : files) {
            try {
                results.add(CompleteTaskRequest.parseFrom(Files.readAllBytes(file)));
            } catch (InvalidProtocolBufferException e) {
                log.error("spooled result {} cannot be parsed; moved aside as .corrupt", file, e);
                moveAside(file);
            } catch (IOException e) {
                log.error("spooled result {} cannot be read; left in place for an operator and skipped", file, e);
            }
        }
        return results;
    }

    /** The result spooled for the task now, read afresh; empty when there is none (or it cannot be read now). */
    Optional<CompleteTaskRequest> read(String guid) {
        try {
            return Optional.of(CompleteTaskRequest.parseFrom(Files.readAllBytes(file(guid))));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            log.warn("spooled result of task {} cannot be read now; trying again later", guid, e);
            return Optional.empty();
        }
    }

    boolean contains(String guid) {
        return Files.exists(file(guid));
    }

    /** Forgets a delivered result. */
    void remove(String guid) {
        try {
            Files.deleteIfExists(file(guid));
            syncDirectory();
        } catch (IOException e) {
            // delivering it again later is harmless: completing with the same outcome is a no-op
            log.warn("cannot remove the delivered result of task {} from the spool", guid, e);
        }
    }

    int size() {
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            int count = 0;
            for (Path ignored : stream) {
                count++;
            }
            return count;
        } catch (IOException e) {
            return -1;
        }
    }

    private Path file(String guid) {
        if (!GUID.matcher(guid).matches()) {
            throw new IllegalArgumentException("not a task guid: " + guid);
        }
        return dir.resolve(guid + SUFFIX);
    }

    private void syncDirectory() throws IOException {
        try (FileChannel directory = FileChannel.open(dir, StandardOpenOption.READ)) {
            directory.force(true);
        }
    }

    private void moveAside(Path file) {
        try {
            Files.move(file, file.resolveSibling(file.getFileName() + ".corrupt"), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            log.warn("cannot move {} aside", file, e);
        }
    }

    private static long modified(Path file) {
        try {
            return Files.getLastModifiedTime(file).toMillis();
        } catch (IOException e) {
            return Long.MAX_VALUE;
        }
    }
}
