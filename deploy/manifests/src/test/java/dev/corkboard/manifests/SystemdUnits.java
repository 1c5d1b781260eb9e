package dev.corkboard.manifests;

import dev.corkboard.bbs.config.SettingParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Checks deploy/systemd under a repository root: each {@code *.service} against the component whose jar its
 * {@code ExecStart} runs, and the environment file it reads against that component's settings. Each check returns
 * its problems, one line each, empty when all is well.
 */
final class SystemdUnits {

    static final String DIR = "deploy/systemd";
    private static final String INSTALLED_DIR = "/etc/corkboard/";
    private static final Pattern CREDENTIAL = Pattern.compile("/run/credentials/([^/\\s]+)/([^/\\s]+)");

    private final Path root;
    private final Path dir;

    SystemdUnits(Path root) {
        this.root = root;
        this.dir = root.resolve(DIR);
    }

    List<Path> unitFiles() {
        return files(".service");
    }

    /** Every unit parses, has the sections and keys a supervised Corkboard process needs, and its env file exists. */
    List<String> structureProblems() {
        List<String> problems = new ArrayList<>();
        Set<String> environmentFiles = new TreeSet<>(files(".env").stream()
                .map(file -> file.getFileName().toString())
                .toList());
        for (Path file : unitFiles()) {
            SystemdUnit unit;
            try {
                unit = SystemdUnit.parse(file);
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
                continue;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            String name = unit.name();
            for (String section : List.of("Unit", "Service", "Install")) {
                require(problems, unit.hasSection(section), name + ": no [" + section + "] section");
            }
            require(problems, unit.value("Unit", "Description").isPresent(), name + ": no Description");
            require(problems, unit.value("Install", "WantedBy").isPresent(), name + ": no WantedBy");
            require(problems, unit.values("Service", "ExecStart").size() == 1, name + ": expected one ExecStart");
            require(problems, unit.value("Service", "Restart").equals(Optional.of("on-failure")),
                    name + ": expected Restart=on-failure");
            require(problems, words(unit.value("Service", "SuccessExitStatus")).contains("143"),
                    name + ": SuccessExitStatus lacks 143, the exit status after SIGTERM");
            require(problems, words(unit.value("Service", "RestartPreventExitStatus")).contains("2"),
                    name + ": RestartPreventExitStatus lacks 2, the exit status of an invalid configuration");
            String environmentFile = unit.value("Service", "EnvironmentFile").orElse("").replaceFirst("^-", "");
            require(problems, environmentFile.startsWith(INSTALLED_DIR)
                    && Files.isRegularFile(dir.resolve(environmentFile.substring(INSTALLED_DIR.length()))),
                    name + ": EnvironmentFile '" + environmentFile + "' is no " + INSTALLED_DIR + "<file> with the"
                            + " file in " + DIR);
            environmentFiles.remove(Path.of(environmentFile).getFileName().toString());
        }
        environmentFiles.forEach(unused -> problems.add(unused + ": no unit reads it"));
        return problems;
    }

    /**
     * Every unit runs a component's shaded jar with flags it accepts, and every variable its environment file sets
     * or mentions (and the unit mentions) is a setting of that component; JAVA_OPTS is the only other variable.
     */
    List<String> settingProblems() {
        List<String> problems = new ArrayList<>();
        for (Path file : unitFiles()) {
            SystemdUnit unit = parse(file);
            String name = unit.name();
            String execStart = unit.value("Service", "ExecStart").orElse("");
            Optional<Component> component = componentOfJar(execStart);
            if (component.isEmpty()) {
                problems.add(name + ": ExecStart runs no component's jar /opt/corkboard/lib/<artifactId>.jar: '"
                        + execStart + "'");
                continue;
            }
            Component process = component.get();
            problems.addAll(Settings.unknownFlags(name + " ExecStart", Settings.argumentsAfterJar(execStart),
                    process));
            problems.addAll(Settings.unknownVariables(name, Checkout.read(file), process.variables(), process.module));
            EnvironmentFile environment = environmentOf(unit);
            String envName = Path.of(unit.value("Service", "EnvironmentFile").orElse("")).getFileName().toString();
            problems.addAll(Settings.unknownVariables(envName, environment.text(), process.variables(),
                    process.module));
            for (String key : environment.assignments().keySet()) {
                require(problems, key.startsWith("CORKBOARD_") || key.equals("JAVA_OPTS"),
                        envName + ": " + key + " is neither a CORKBOARD_ setting nor JAVA_OPTS");
            }
            require(problems, !execStart.contains("$JAVA_OPTS") || environment.assignments().containsKey("JAVA_OPTS"),
                    name + ": ExecStart uses $JAVA_OPTS, which " + envName + " does not set");
            problems.addAll(credentialProblems(unit, environment, envName));
        }
        for (Path file : files(".md")) {
            problems.addAll(Settings.unknownVariables(file.getFileName().toString(), Checkout.read(file),
                    Settings.anyComponent(), "any component"));
        }
        return problems;
    }

    /**
     * Units stop gracefully: the stop timeout exceeds what the component's graceful stop may take (its grace or
     * drain settings as the environment file sets them, else their defaults); the processes that need no root run
     * as a dynamic user and hardened; the executor signals the agent alone and owns its cgroup subtree.
     */
    List<String> privilegeAndStopProblems() {
        List<String> problems = new ArrayList<>();
        SettingParser durations = new SettingParser();
        for (Path file : unitFiles()) {
            SystemdUnit unit = parse(file);
            String name = unit.name();
            Optional<Component> component = componentOfJar(unit.value("Service", "ExecStart").orElse(""));
            if (component.isEmpty()) {
                continue;
            }
            Component process = component.get();
            Map<String, String> environment = environmentOf(unit).assignments();
            Duration stopTakes = Duration.ZERO;
            for (String flag : process.stopFlags) {
                String text = environment.getOrDefault(Component.variableOf(flag), process.defaultValue(flag));
                stopTakes = stopTakes.plus(durations.duration(flag, text));
            }
            Duration timeout = durations.duration("TimeoutStopSec", unit.value("Service", "TimeoutStopSec")
                    .orElse("90s"));
            require(problems, timeout.compareTo(stopTakes) > 0, name + ": TimeoutStopSec " + timeout
                    + " leaves no room for a graceful stop of " + stopTakes + " (" + process.stopFlags + ")");
            if (process.needsRoot) {
                require(problems, unit.value("Service", "KillMode").equals(Optional.of("mixed")),
                        name + ": expected KillMode=mixed, so that SIGTERM reaches the agent alone");
                require(problems, unit.value("Service", "Delegate").equals(Optional.of("yes")),
                        name + ": expected Delegate=yes");
            } else {
                for (String hardening : List.of("DynamicUser=yes", "NoNewPrivileges=yes", "ProtectSystem=strict",
                        "ProtectHome=yes", "PrivateTmp=yes", "CapabilityBoundingSet=")) {
                    String[] entry = hardening.split("=", 2);
                    require(problems, unit.value("Service", entry[0]).equals(Optional.of(entry[1])),
                            name + ": expected " + hardening);
                }
            }
        }
        durations.throwIfAny();
        return problems;
    }

    /**
     * A path /run/credentials/<unit>/<id> a variable is set to names this unit and one of its credentials. Commented
     * lines are left out: an optional setting is shown commented beside the unit's commented LoadCredential.
     */
    private static List<String> credentialProblems(SystemdUnit unit, EnvironmentFile environment, String envName) {
        List<String> problems = new ArrayList<>();
        List<String> loaded = unit.values("Service", "LoadCredential").stream()
                .map(credential -> credential.split(":", 2)[0])
                .toList();
        Matcher matcher = CREDENTIAL.matcher(String.join("\n", environment.assignments().values()));
        while (matcher.find()) {
            require(problems, matcher.group(1).equals(unit.name()) && loaded.contains(matcher.group(2)),
                    envName + ": " + matcher.group() + " is no credential " + unit.name() + " loads " + loaded);
        }
        return problems;
    }

    /** The component whose shaded jar, installed as /opt/corkboard/lib/<artifactId>.jar, the command line runs. */
    private Optional<Component> componentOfJar(String commandLine) {
        String jar = Settings.jarOf(commandLine);
        return Arrays.stream(Component.values())
                .filter(component -> jar.equals("/opt/corkboard/lib/" + ModulePom.read(root, component).artifactId()
                        + ".jar"))
                .findFirst();
    }

    private EnvironmentFile environmentOf(SystemdUnit unit) {
        String installed = unit.value("Service", "EnvironmentFile").orElse("").replaceFirst("^-", "");
        try {
            return EnvironmentFile.parse(dir.resolve(Path.of(installed).getFileName().toString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<Path> files(String suffix) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(file -> file.getFileName().toString().endsWith(suffix)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static SystemdUnit parse(Path file) {
        try {
            return SystemdUnit.parse(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> words(Optional<String> value) {
        return value.map(text -> List.of(text.trim().split("\\s+"))).orElse(List.of());
    }

    private static void require(List<String> problems, boolean ok, String problem) {
        if (!ok) {
            problems.add(problem);
        }
    }
}
