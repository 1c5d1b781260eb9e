package dev.corkboard.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock on a cluster directory ({@code DIR/.lock}) held while a command changes the cluster, so two
 * commands run at once (two {@code up}s, an {@code up} and a {@code down}) take turns instead of both starting the same
 * member. {@code status} reads without it. The kernel drops the lock when the holder dies.
 */
final class DirLock implements AutoCloseable {

    private final FileChannel channel;

    private DirLock(FileChannel channel) {
        this.channel = channel;
    }

    /** Blocks until this process holds the directory's lock; creates the directory when needed. */
    static DirLock acquire(Path dir) {
        try {
            Files.createDirectories(dir);
            FileChannel channel = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            try {
                channel.lock();
                return new DirLock(channel);
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock " + dir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            channel.close(); // releases the lock
        } catch (IOException e) {
            // the lock goes with this process anyway
        }
    }
}
