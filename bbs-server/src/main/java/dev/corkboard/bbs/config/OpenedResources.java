package dev.corkboard.bbs.config;

import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a process has opened, most recent first, so that it closes in the reverse order of opening. A resource that
 * fails to close is logged and the rest are still closed; an interrupt while closing is kept for the caller.
 */
public final class OpenedResources {

    private static final Logger log = LoggerFactory.getLogger(OpenedResources.class);

    private final Deque<AutoCloseable> opened = new ArrayDeque<>();

    /** Remembers a resource just opened; returns it. */
    public synchronized <T extends AutoCloseable> T push(T resource) {
        opened.push(resource);
        return resource;
    }

    /** Closes everything remembered, most recent first; idempotent. */
    public synchronized void closeAll() {
        while (!opened.isEmpty()) {
            AutoCloseable resource = opened.pop();
            try {
                resource.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                log.warn("failed to close {} during shutdown", resource, e);
            }
        }
    }
}
