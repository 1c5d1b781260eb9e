package dev.corkboard.executor.runtime;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Composes an OCI container's root directory in its bundle and the mounts that fill it. The directory itself holds
 * only mount points and symlinks (the OCI runtime mounts it read-only); what the task sees comes from read-only binds:
 * <ul>
 *   <li>without a root file system: the host's {@code /usr}, its {@code /bin /lib /lib64 /sbin …} as the host has
 *       them (copied symlinks or read-only binds), generated passwd, group and hosts and a few read-only files of the
 *       host's {@code /etc} (with resolver and CA certificates when the task has network): the sandbox's view;</li>
 *   <li>with one (a host directory): each of its top-level entries, directories and files bound read-only, symlinks
 *       copied; the directory itself is never written to.</li>
 * </ul>
 * Either way {@code /task} (the task directory, read-write), a tmpfs {@code /tmp}, {@code /proc} and {@code /dev} are
 * the runtime's. Every mount point exists before the runtime starts: it sets up mounts as the container's root, an
 * unprivileged host uid that could not create them.
 */
final class OciRootfs {

    /** Entries of a root file system the container gets from the runtime instead. */
    private static final Set<String> RESERVED = Set.of("proc", "dev", "tmp", "task", "sys");
    /**
     * A recursive bind, read-only, nosuid and nodev all the way down: "ro" alone makes only the top mount read-only
     * and leaves mounts under the source (a volume inside a root_fs) writable by the task; the "r" options apply
     * to every submount (mount_setattr with AT_RECURSIVE, Linux 5.12).
     */
    private static final List<String> READ_ONLY = List.of("rbind", "ro", "nosuid", "nodev", "rro", "rnosuid",
            "rnodev");

    private final Path rootfs;
    private final List<Map<String, Object>> mounts = new ArrayList<>();

    private OciRootfs(Path rootfs) {
        this.rootfs = rootfs;
    }

    /**
     * Creates {@code rootfs} and its mount points for {@code spec}, whose task directory on the host is
     * {@code taskDir}.
     *
     * @param rootFs a host directory to build the root from; empty: the host's {@code /usr}
     * @throws IOException when a directory, mount point or file cannot be created, or {@code rootFs} not listed
     */
    static OciRootfs compose(Path rootfs, Path taskDir, Optional<Path> rootFs, boolean network, String hostname)
            throws IOException {
        OciRootfs composed = new OciRootfs(rootfs);
        Files.createDirectories(rootfs);
        composed.runtimeMounts(taskDir);
        if (rootFs.isPresent()) {
            composed.fromDirectory(rootFs.get());
        } else {
            composed.fromHost(network, hostname);
        }
        return composed;
    }

    Path path() {
        return rootfs;
    }

    /** The OCI {@code mounts}, in the order the runtime must perform them. */
    List<Map<String, Object>> mounts() {
        return List.copyOf(mounts);
    }

    private void runtimeMounts(Path taskDir) throws IOException {
        for (String dir : List.of("proc", "dev", "task")) {
            Files.createDirectory(rootfs.resolve(dir));
        }
        // the runtime gives a tmpfs the mode of the directory it covers: the task's uid must be able to write it
        Files.setAttribute(Files.createDirectory(rootfs.resolve("tmp")), "unix:mode", 01777);
        mount("/proc", "proc", "proc", List.of("nosuid", "noexec", "nodev"));
        mount("/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k"));
        mount("/dev/pts", "devpts", "devpts", List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666",
                "mode=0620"));
        mount("/dev/shm", "tmpfs", "shm", List.of("nosuid", "noexec", "nodev", "mode=1777", "size=65536k"));
        mount("/dev/mqueue", "mqueue", "mqueue", List.of("nosuid", "noexec", "nodev"));
        mount("/tmp", "tmpfs", "tmpfs", List.of("nosuid", "nodev", "mode=1777"));
        mount("/task", "bind", taskDir.toString(), List.of("rbind", "rw", "nosuid", "nodev"));
    }

    private void fromHost(boolean network, String hostname) throws IOException {
        bindReadOnly(Path.of("/usr"), "usr");
        for (String entry : SandboxCommand.HOST_ROOT_ENTRIES) {
            Path host = Path.of("/", entry);
            if (Files.isSymbolicLink(host)) {
                Files.createSymbolicLink(rootfs.resolve(entry), Files.readSymbolicLink(host));
            } else if (Files.isDirectory(host)) {
                bindReadOnly(host, entry);
            }
        }
        Path etc = Files.createDirectory(rootfs.resolve("etc"));
        SandboxCommand.writeEtc(etc, hostname);
        List<String> hostEtc = new ArrayList<>(SandboxCommand.HOST_ETC);
        if (network) {
            hostEtc.addAll(SandboxCommand.HOST_ETC_NETWORK);
        }
        for (String file : hostEtc) {
            Path host = Path.of("/etc", file);
            if (Files.exists(host)) {
                bindReadOnly(host, "etc/" + file);
            }
        }
    }

    private void fromDirectory(Path source) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(source)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (RESERVED.contains(name)) {
                    continue;
                }
                if (Files.isSymbolicLink(entry)) {
                    Files.createSymbolicLink(rootfs.resolve(name), Files.readSymbolicLink(entry));
                } else if (Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)
                        || Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS)) {
                    bindReadOnly(entry, name);
                }
                // sockets, fifos and device nodes of the image are left out
            }
        }
    }

    /** A read-only bind of a host directory or file at {@code inside} (relative to the root), mount point included. */
    private void bindReadOnly(Path host, String inside) throws IOException {
        Path point = rootfs.resolve(inside);
        if (Files.isDirectory(host)) {
            Files.createDirectories(point);
        } else {
            Files.createDirectories(point.getParent());
            Files.createFile(point);
        }
        mount("/" + inside, "bind", host.toString(), READ_ONLY);
    }

    private void mount(String destination, String type, String source, List<String> options) {
        Map<String, Object> mount = new LinkedHashMap<>();
        mount.put("destination", destination);
        mount.put("type", type);
        mount.put("source", source);
        mount.put("options", options);
        mounts.add(mount);
    }
}
