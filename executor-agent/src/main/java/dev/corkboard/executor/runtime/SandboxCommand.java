package dev.corkboard.executor.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The command line of a sandboxed task. The launcher starts as root: {@code unshare --mount} gives it a private mount
 * namespace, in which {@code /bin/sh} writes its own pid into the task's cgroup (every {@code cgroup.procs} file,
 * passed as arguments, never spliced into the script), mounts a private tmpfs on {@code /tmp} and binds the container's
 * {@code task/} and {@code etc/} there (opened as root, so the task's uid needs no way through the root-only container
 * directories), then {@code setpriv} drops to the task's unprivileged host uid and gid (no supplementary groups, no
 * capabilities in any set) and execs bubblewrap, unprivileged. Every step execs in place, so bubblewrap's
 * {@code --die-with-parent} still ties the sandbox to the JVM thread that launched it, and nothing of the task ever
 * runs outside its limits.
 *
 * <p>Inside: new user, pid, net, ipc, uts, mount and cgroup namespaces; uid and gid {@value #UID}, the task's host uid
 * and gid outside ({@link RuntimeSettings#taskUid()}, not root: it owns neither root's files nor its cgroup's), with no
 * capabilities and no further user namespaces; {@code /usr} and the host's
 * {@code /bin /lib /lib64 /sbin} (symlinks or read-only binds, as the host has them) read-only; a few read-only files
 * in {@code /etc}; fresh {@code /proc}, {@code /dev} and tmpfs {@code /tmp}; the task directory read-write at
 * {@code /task}; everything else absent and the root itself read-only. The network namespace is the host's only when
 * the spec asks for network (and then {@code /etc/resolv.conf} and CA certificates are bound too).
 */
final class SandboxCommand {

    static final int UID = 1000;
    static final String HOSTNAME = "corkboard";

    static final Path UNSHARE = Path.of("/usr/bin/unshare");
    static final Path SETPRIV = Path.of("/usr/bin/setpriv");
    /** Where the launcher binds the container's {@code task/} and {@code etc/} for bubblewrap (its own mount ns). */
    private static final String STAGE = "/tmp";
    /**
     * Arguments: the number of cgroup.procs files, the files, the container directory, then the command to exec. The
     * directories are opened before the tmpfs hides a container directory under /tmp, and bound from their
     * descriptors.
     */
    private static final String LAUNCH = "n=$1; shift; while [ \"$n\" -gt 0 ]; do"
            + " echo $$ > \"$1\" || { echo \"corkboard: cannot join cgroup $1\" >&2; exit 125; }; shift; n=$((n-1));"
            + " done; exec 3<\"$1/task\" 4<\"$1/etc\" && mount -t tmpfs -o mode=1777,nosuid,nodev,size=1m corkboard "
            + STAGE + " && mkdir " + STAGE + "/task " + STAGE + "/etc"
            + " && mount --no-canonicalize --bind /proc/self/fd/3 " + STAGE + "/task"
            + " && mount --no-canonicalize --bind /proc/self/fd/4 " + STAGE + "/etc"
            + " || { echo \"corkboard: cannot stage $1 for the sandbox\" >&2; exit 125; }; exec 3<&- 4<&-; shift;"
            + " exec \"$@\"";
    /** Top-level entries of the host's root a task sees beside /usr (as symlinks or read-only binds). */
    static final List<String> HOST_ROOT_ENTRIES = List.of("bin", "sbin", "lib", "lib32", "lib64", "libx32");
    /** Files of the host's /etc bound read-only when the host has them. */
    static final List<String> HOST_ETC = List.of("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "alternatives",
            "localtime", "nsswitch.conf", "services", "protocols");
    /** Files of the host's /etc bound read-only as well when the task has network. */
    static final List<String> HOST_ETC_NETWORK = List.of("resolv.conf", "host.conf", "gai.conf", "ssl",
            "ca-certificates");

    private SandboxCommand() {}

    /** Environment of the task: the spec's, with HOME, PATH and TMPDIR defaulted. */
    static Map<String, String> environment(ContainerSpec spec) throws ContainerException {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("HOME", ContainerPaths.TASK);
        env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
        env.put("TMPDIR", "/tmp");
        for (Map.Entry<String, String> entry : spec.env().entrySet()) {
            String name = entry.getKey();
            if (name.isEmpty() || name.contains("=") || name.indexOf('\0') >= 0 || entry.getValue().indexOf('\0') >= 0) {
                throw new ContainerException("environment variable name '" + name + "' is not usable");
            }
            env.put(name, entry.getValue());
        }
        return env;
    }

    /** The working directory inside: the spec's (relative to /task when relative), or /task. */
    static String workingDirectory(ContainerSpec spec) {
        String dir = spec.dir();
        if (dir == null || dir.isEmpty()) {
            return ContainerPaths.TASK;
        }
        return dir.startsWith("/") ? dir : ContainerPaths.TASK + "/" + dir;
    }

    /** Writes the container's own passwd, group and hosts (naming {@code hostname}) into {@code etc}. */
    static void writeEtc(Path etc, String hostname) throws IOException {
        Files.writeString(etc.resolve("passwd"), "root:x:0:0:root:/root:/usr/sbin/nologin\n"
                + "corkboard:x:" + UID + ":" + UID + ":Corkboard task:/task:/bin/sh\n"
                + "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n");
        Files.writeString(etc.resolve("group"), "root:x:0:\ncorkboard:x:" + UID + ":\nnogroup:x:65534:\n");
        Files.writeString(etc.resolve("hosts"), "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
                + "127.0.1.1\t" + hostname + "\n");
    }

    static List<String> of(Path bwrap, ContainerSpec spec, Path containerDir, Cgroup cgroup, Map<String, String> env,
            int taskUid, int taskGid) throws IOException {
        List<String> command = new ArrayList<>(List.of(UNSHARE.toString(), "--mount", "--propagation", "private", "--",
                "/bin/sh", "-c", LAUNCH, "corkboard-launch"));
        List<Path> procs = cgroup.procsFiles();
        command.add(Integer.toString(procs.size()));
        procs.forEach(file -> command.add(file.toString()));
        command.add(containerDir.toString());
        command.addAll(List.of(SETPRIV.toString(), "--reuid=" + taskUid, "--regid=" + taskGid, "--clear-groups",
                "--inh-caps=-all", "--bounding-set=-all", "--"));
        command.add(bwrap.toString());
        command.addAll(List.of("--unshare-all", "--unshare-user", "--uid", Integer.toString(UID), "--gid",
                Integer.toString(UID), "--cap-drop", "ALL", "--disable-userns", "--die-with-parent", "--new-session", "--hostname",
                HOSTNAME));
        if (spec.network()) {
            command.add("--share-net");
        }
        command.addAll(List.of("--ro-bind", "/usr", "/usr"));
        for (String entry : HOST_ROOT_ENTRIES) {
            Path host = Path.of("/", entry);
            if (Files.isSymbolicLink(host)) {
                command.addAll(List.of("--symlink", Files.readSymbolicLink(host).toString(), host.toString()));
            } else if (Files.isDirectory(host)) {
                command.addAll(List.of("--ro-bind", host.toString(), host.toString()));
            }
        }
        command.addAll(List.of("--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"));
        for (String file : List.of("passwd", "group", "hosts")) {
            command.addAll(List.of("--ro-bind", STAGE + "/etc/" + file, "/etc/" + file));
        }
        for (String file : HOST_ETC) {
            command.addAll(List.of("--ro-bind-try", "/etc/" + file, "/etc/" + file));
        }
        if (spec.network()) {
            for (String file : HOST_ETC_NETWORK) {
                command.addAll(List.of("--ro-bind-try", "/etc/" + file, "/etc/" + file));
            }
        }
        command.addAll(List.of("--bind", STAGE + "/task", ContainerPaths.TASK, "--remount-ro", "/"));
        command.addAll(List.of("--chdir", workingDirectory(spec), "--clearenv"));
        env.forEach((name, value) -> command.addAll(List.of("--setenv", name, value)));
        command.add("--");
        command.add(spec.path());
        command.addAll(spec.args());
        return command;
    }
}
