package dev.corkboard.executor.runtime;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds specs for tests: {@code /bin/sh -c script} with no limits beyond the runtime's defaults. */
final class SpecBuilder {

    private final String handle;
    private String path = "/bin/sh";
    private List<String> args = List.of();
    private final Map<String, String> env = new LinkedHashMap<>();
    private String dir = "";
    private int memoryMb;
    private int maxPids;
    private int cpuWeight;
    private Duration timeout = Duration.ofSeconds(30);
    private boolean network;
    private String rootFs = "";

    private SpecBuilder(String handle) {
        this.handle = handle;
    }

    static SpecBuilder shell(String handle, String script) {
        SpecBuilder builder = new SpecBuilder(handle);
        builder.args = List.of("-c", script);
        return builder;
    }

    static SpecBuilder command(String handle, String path, String... args) {
        SpecBuilder builder = new SpecBuilder(handle);
        builder.path = path;
        builder.args = List.of(args);
        return builder;
    }

    SpecBuilder env(String name, String value) {
        env.put(name, value);
        return this;
    }

    SpecBuilder dir(String dir) {
        this.dir = dir;
        return this;
    }

    SpecBuilder memoryMb(int memoryMb) {
        this.memoryMb = memoryMb;
        return this;
    }

    SpecBuilder maxPids(int maxPids) {
        this.maxPids = maxPids;
        return this;
    }

    SpecBuilder cpuWeight(int cpuWeight) {
        this.cpuWeight = cpuWeight;
        return this;
    }

    SpecBuilder timeout(Duration timeout) {
        this.timeout = timeout;
        return this;
    }

    SpecBuilder network(boolean network) {
        this.network = network;
        return this;
    }

    SpecBuilder rootFs(String rootFs) {
        this.rootFs = rootFs;
        return this;
    }

    ContainerSpec build() {
        String guid = handle.substring(handle.lastIndexOf('-') + 1);
        return new ContainerSpec(guid, handle, path, args, env, dir, memoryMb, maxPids, cpuWeight, timeout, network, rootFs);
    }
}
