package dev.corkboard.local;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the members run: the etcd binary and the components' shaded jars, with the JVM that runs this tool.
 *
 * @param javaOptions JVM options of every Corkboard member; small heaps so that six or more JVMs fit on a laptop
 */
record Programs(String java, List<String> javaOptions, String etcd, String bbsJar, String executorJar,
        String convergerJar) {

    /** Default JVM options of the members; {@code CORKBOARD_LOCAL_JAVA_OPTS} replaces them. */
    static final String DEFAULT_JAVA_OPTS = "-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1";

    static final String ETCD_NOT_FOUND = "no etcd binary: install the Debian package etcd-server"
            + " (apt-get install etcd-server) or set ETCD_BIN";

    Programs {
        javaOptions = List.copyOf(javaOptions);
    }

    /** Finds everything in a built checkout at {@code root}; fails naming what is missing and how to get it. */
    static Programs locate(Path root, Map<String, String> env) {
        String opts = env.getOrDefault("CORKBOARD_LOCAL_JAVA_OPTS", DEFAULT_JAVA_OPTS).strip();
        return new Programs(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                opts.isEmpty() ? List.of() : List.of(opts.split("\\s+")),
                etcd(env).toString(),
                jar(root, "bbs-server", "corkboard-bbs-server").toString(),
                jar(root, "executor-agent", "corkboard-executor-agent").toString(),
                jar(root, "converger", "corkboard-converger").toString());
    }

    /**
     * The same programs with the jars at their places in the cluster directory, {@code DIR/jars}. Members run these
     * copies, never the checkout's: a rebuild replaces the checkout's jars, and a JVM whose jar changes under it fails
     * as soon as it loads a class it had not loaded yet (at shutdown, typically).
     */
    Programs inCluster(Path dir) {
        Path jars = dir.resolve("jars");
        return new Programs(java, javaOptions, etcd, jars.resolve("bbs-server.jar").toString(),
                jars.resolve("executor-agent.jar").toString(), jars.resolve("converger.jar").toString());
    }

    /** Copies these programs' jars to {@link #inCluster(Path)}'s, each replaced atomically. */
    void copyJarsTo(Path dir) {
        Programs target = inCluster(dir);
        copy(bbsJar, target.bbsJar());
        copy(executorJar, target.executorJar());
        copy(convergerJar, target.convergerJar());
    }

    private static void copy(String from, String to) {
        Path target = Path.of(to);
        Path aside = target.resolveSibling(target.getFileName() + ".tmp");
        try {
            Files.createDirectories(target.getParent());
            Files.copy(Path.of(from), aside, StandardCopyOption.REPLACE_EXISTING);
            Files.move(aside, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + from + " to " + to + ": " + e.getMessage(), e);
        }
    }

    static Path etcd(Map<String, String> env) {
        String explicit = env.getOrDefault("ETCD_BIN", "").strip();
        if (!explicit.isEmpty()) {
            Path binary = Path.of(explicit).toAbsolutePath();
            if (!Files.isExecutable(binary) || Files.isDirectory(binary)) {
                throw new IllegalStateException("ETCD_BIN=" + explicit + " is not an executable file");
            }
            return binary;
        }
        for (String dir : env.getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty()) {
                Path candidate = Path.of(dir, "etcd").toAbsolutePath();
                if (Files.isExecutable(candidate) && !Files.isDirectory(candidate)) {
                    return candidate;
                }
            }
        }
        throw new IllegalStateException(ETCD_NOT_FOUND);
    }

    private static Path jar(Path root, String module, String artifact) {
        Path target = root.resolve(module).resolve("target");
        return find(target, artifact + "-*-all.jar").orElseThrow(() -> new IllegalStateException(
                "no " + artifact + " jar in " + target + ": build the jars with ./mvnw -B -q install -DskipTests"));
    }

    private static Optional<Path> find(Path dir, String glob) {
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(dir, glob)) {
            for (Path jar : jars) {
                return Optional.of(jar.toAbsolutePath());
            }
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }
}
