package dev.corkboard.executor.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The OCI bundle of one container, {@code <container>/bundle/}: {@code config.json} and the {@code rootfs} composed
 * by {@link OciRootfs}.
 *
 * <p>What the configuration asks of the runtime: new user, pid, ipc, uts and mount namespaces, and a network
 * namespace (loopback only) unless the spec asks for network; the task's uid and gid {@value #UID} map to the task's
 * unprivileged host uid and gid ({@link RuntimeSettings#taskUid()}, which own the task directory), as in the sandbox,
 * while the container's uids and gids 0 to 999 (runc requires a root inside) map to unused host ids from
 * {@value #HOST_ID_BASE}; nothing of the container is root on the host; no
 * capabilities in any set and no new privileges; no further user namespaces (a seccomp filter); hostname
 * {@value #HOSTNAME}; memory (and memory+swap equal to it where swap is accounted), pids and CPU shares in
 * {@code linux.resources}, applied to the cgroup {@code cgroupsPath}.
 */
final class OciBundle {

    static final int UID = SandboxCommand.UID;
    static final String HOSTNAME = "task";
    static final long HOST_ID_BASE = 100_000;
    private static final long CLONE_NEWUSER = 0x10000000L;

    private static final List<String> MASKED = List.of("/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
            "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
            "/sys/firmware");
    private static final List<String> READ_ONLY = List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
            "/proc/sysrq-trigger");

    private OciBundle() {}

    /**
     * Writes the bundle into {@code bundle} (which must not exist yet).
     *
     * @param rootPath where runc finds {@code bundle/rootfs} as the container's root: the path the launcher binds it
     *     to ({@link OciRuntime#ROOT_STAGE}), since the container's root cannot pass the root-only container
     *     directories
     * @param cgroupsPath the task cgroup relative to the hierarchy root, e.g. {@code /corkboard/<handle>}
     * @param swapAccounted whether to set memory+swap (the kernel refuses it without swap accounting)
     * @throws IOException when the root or the configuration cannot be written
     */
    static void write(Path bundle, Path rootPath, Path taskDir, ContainerSpec spec, Optional<Path> rootFs,
            TaskLimits limits, Map<String, String> env, String cgroupsPath, boolean swapAccounted, int taskUid,
            int taskGid) throws IOException {
        Files.createDirectory(bundle);
        OciRootfs rootfs = OciRootfs.compose(bundle.resolve("rootfs"), taskDir, rootFs, spec.network(), HOSTNAME);
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("ociVersion", "1.0.2");
        config.put("process", process(spec, env));
        config.put("root", Map.of("path", rootPath.toString(), "readonly", true));
        config.put("hostname", HOSTNAME);
        config.put("mounts", rootfs.mounts());
        config.put("linux", linux(spec, limits, cgroupsPath, swapAccounted, taskUid, taskGid));
        Files.writeString(bundle.resolve("config.json"), JsonText.of(config));
    }

    private static Map<String, Object> process(ContainerSpec spec, Map<String, String> env) {
        List<String> args = new ArrayList<>();
        args.add(spec.path());
        args.addAll(spec.args());
        Map<String, Object> process = new LinkedHashMap<>();
        process.put("terminal", false);
        process.put("user", Map.of("uid", UID, "gid", UID));
        process.put("args", args);
        process.put("env", env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
        process.put("cwd", SandboxCommand.workingDirectory(spec));
        List<String> none = List.of();
        process.put("capabilities", Map.of("bounding", none, "effective", none, "inheritable", none, "permitted",
                none, "ambient", none));
        process.put("noNewPrivileges", true);
        return process;
    }

    /**
     * Allows every system call but those making a user namespace: unshare and clone with CLONE_NEWUSER fail with
     * EPERM, clone3 (whose flags seccomp cannot see) with ENOSYS, so the C library falls back to clone. A nested user
     * namespace would give the task capabilities over new namespaces of its own, an attack surface it has no use for.
     */
    private static Map<String, Object> noUserNamespaces() {
        Map<String, Object> newUser = Map.of("index", 0, "value", CLONE_NEWUSER, "valueTwo", CLONE_NEWUSER, "op",
                "SCMP_CMP_MASKED_EQ");
        List<Map<String, Object>> syscalls = List.of(
                Map.of("names", List.of("unshare", "clone"), "action", "SCMP_ACT_ERRNO", "errnoRet", 1, "args",
                        List.of(newUser)),
                Map.of("names", List.of("clone3"), "action", "SCMP_ACT_ERRNO", "errnoRet", 38));
        Map<String, Object> seccomp = new LinkedHashMap<>();
        seccomp.put("defaultAction", "SCMP_ACT_ALLOW");
        seccomp.put("syscalls", syscalls);
        return seccomp;
    }

    private static Map<String, Object> linux(ContainerSpec spec, TaskLimits limits, String cgroupsPath,
            boolean swapAccounted, int taskUid, int taskGid) {
        List<Map<String, Object>> namespaces = new ArrayList<>();
        for (String type : List.of("pid", "ipc", "uts", "mount", "user")) {
            namespaces.add(Map.of("type", type));
        }
        if (!spec.network()) {
            namespaces.add(Map.of("type", "network"));
        }
        List<Map<String, Object>> uids = List.of(
                Map.of("containerID", 0, "hostID", HOST_ID_BASE, "size", UID),
                Map.of("containerID", UID, "hostID", taskUid, "size", 1));
        List<Map<String, Object>> gids = List.of(
                Map.of("containerID", 0, "hostID", HOST_ID_BASE, "size", UID),
                Map.of("containerID", UID, "hostID", taskGid, "size", 1));
        Map<String, Object> memory = new LinkedHashMap<>();
        memory.put("limit", limits.memoryBytes());
        if (swapAccounted) {
            memory.put("swap", limits.memoryBytes());
        }
        Map<String, Object> resources = new LinkedHashMap<>();
        resources.put("memory", memory);
        resources.put("pids", Map.of("limit", limits.maxPids()));
        resources.put("cpu", Map.of("shares", Math.max(2, (long) limits.cpuWeight() * 1024 / 100)));
        resources.put("devices", List.of(Map.of("allow", false, "access", "rwm")));
        Map<String, Object> linux = new LinkedHashMap<>();
        linux.put("namespaces", namespaces);
        linux.put("uidMappings", uids);
        linux.put("gidMappings", gids);
        linux.put("cgroupsPath", cgroupsPath);
        linux.put("resources", resources);
        linux.put("seccomp", noUserNamespaces());
        linux.put("maskedPaths", MASKED);
        linux.put("readonlyPaths", READ_ONLY);
        return linux;
    }
}
