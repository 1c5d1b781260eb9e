package dev.corkboard.executor.agent;

import dev.corkboard.proto.v1.Capacity;
import dev.corkboard.proto.v1.Resources;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * What this executor's running tasks hold of its capacity. A task holds its memory (or the default limit when it
 * names none), its disk and one container from its claim until its container is destroyed. The claim loop asks the
 * BBS only for tasks that fit what is free, and waits while no container is free, so the executor never runs more
 * tasks, or more memory, than it advertised.
 */
final class CapacityLedger {

    private final Capacity total;
    private final int defaultMemoryMb;
    private final Map<String, Capacity> held = new HashMap<>();

    CapacityLedger(Capacity total, int defaultMemoryMb) {
        this.total = total;
        this.defaultMemoryMb = defaultMemoryMb;
    }

    /** What a task with these resources holds while it runs. */
    Capacity demand(Resources resources) {
        int memory = resources.getMemoryMb() > 0 ? resources.getMemoryMb() : defaultMemoryMb;
        return Capacity.newBuilder().setMemoryMb(memory).setDiskMb(Math.max(0, resources.getDiskMb()))
                .setContainers(1).build();
    }

    /** Holds a task's demand; returns false (and holds nothing) when it does not fit or the task is already held. */
    synchronized boolean hold(String guid, Resources resources) {
        Capacity demand = demand(resources);
        Capacity free = free();
        if (held.containsKey(guid) || demand.getContainers() > free.getContainers()
                || demand.getMemoryMb() > free.getMemoryMb() || demand.getDiskMb() > free.getDiskMb()) {
            return false;
        }
        held.put(guid, demand);
        return true;
    }

    /** Gives back what a task held; harmless for a task that holds nothing. */
    synchronized void release(String guid) {
        if (held.remove(guid) != null) {
            notifyAll();
        }
    }

    synchronized Capacity free() {
        int memory = total.getMemoryMb();
        int disk = total.getDiskMb();
        int containers = total.getContainers();
        for (Capacity one : held.values()) {
            memory -= one.getMemoryMb();
            disk -= one.getDiskMb();
            containers -= one.getContainers();
        }
        return Capacity.newBuilder().setMemoryMb(Math.max(0, memory)).setDiskMb(Math.max(0, disk))
                .setContainers(Math.max(0, containers)).build();
    }

    synchronized int running() {
        return held.size();
    }

    /**
     * Waits until a container is free and the default memory fits (so a task that names no memory can still be
     * taken), or the timeout passes; returns whether there is room.
     */
    synchronized boolean awaitRoom(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!hasRoom()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }

    /** Waits until the task holds nothing, or the timeout passes; returns whether it holds nothing. */
    synchronized boolean awaitReleased(String guid, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (held.containsKey(guid)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }

    /** Waits until no task is held, or the timeout passes; returns whether none is. */
    synchronized boolean awaitEmpty(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!held.isEmpty()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }

    private boolean hasRoom() {
        Capacity free = free();
        return free.getContainers() > 0 && free.getMemoryMb() >= Math.min(defaultMemoryMb, total.getMemoryMb());
    }
}
