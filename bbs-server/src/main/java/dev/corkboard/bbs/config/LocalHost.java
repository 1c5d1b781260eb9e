package dev.corkboard.bbs.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/** This host's name, for the default ids of processes (converger candidates, executors). */
public final class LocalHost {

    private LocalHost() {}

    /** The host name the resolver gives, else a non-blank {@code HOSTNAME} variable, else {@code fallback}. */
    public static String name(String fallback) {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException | SecurityException e) {
            return Optional.ofNullable(System.getenv("HOSTNAME")).filter(name -> !name.isBlank()).orElse(fallback);
        }
    }
}
