package dev.corkboard.local;

import java.util.ArrayList;
import java.util.List;

/**
 * How many processes of each role a local cluster has. etcd runs as one member or as three (a quorum that survives
 * the loss of one); the others run as many as asked, within what one machine can hold.
 */
record Topology(int etcd, int bbs, int executors, int convergers) {

    static final Topology DEFAULT = new Topology(1, 2, 2, 2);

    /** The most processes of one role: each Corkboard member is a JVM of up to 256 MiB. */
    static final int MAX_PER_ROLE = 9;

    Topology {
        List<String> problems = new ArrayList<>();
        if (etcd != 1 && etcd != 3) {
            problems.add("--etcd: expected 1 or 3, got " + etcd);
        }
        check(problems, "--bbs", bbs, 1);
        check(problems, "--executors", executors, 0);
        check(problems, "--convergers", convergers, 0);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("\n", problems));
        }
    }

    private static void check(List<String> problems, String flag, int value, int min) {
        if (value < min || value > MAX_PER_ROLE) {
            problems.add(flag + ": expected " + min + " to " + MAX_PER_ROLE + ", got " + value);
        }
    }

    int count(Role role) {
        return switch (role) {
            case ETCD -> etcd;
            case BBS -> bbs;
            case EXECUTOR -> executors;
            case CONVERGER -> convergers;
        };
    }

    @Override
    public String toString() {
        return "--etcd " + etcd + " --bbs " + bbs + " --executors " + executors + " --convergers " + convergers;
    }
}
