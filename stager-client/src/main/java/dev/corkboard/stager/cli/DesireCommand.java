package dev.corkboard.stager.cli;

import com.google.protobuf.util.JsonFormat;
import dev.corkboard.proto.v1.Command;
import dev.corkboard.proto.v1.EnvironmentVariable;
import dev.corkboard.proto.v1.Resources;
import dev.corkboard.proto.v1.Task;
import dev.corkboard.proto.v1.TaskDefinition;
import dev.corkboard.stager.StagerClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@picocli.CommandLine.Command(name = "desire", sortOptions = false,
        description = {"Desire a task and print its guid.",
            "Either give the command after --, or a TaskDefinition in JSON with --file."})
final class DesireCommand extends BbsCommand {

    @Option(names = "--domain", required = true, description = "The stager's domain.")
    String domain;

    @Option(names = "--guid", description = "The task's guid (default: a random UUID).")
    String guid;

    @Option(names = "--file", paramLabel = "JSON", description = "A TaskDefinition in JSON (protobuf mapping).")
    Path file;

    @Option(names = "--memory-mb", description = "Memory limit in MB.")
    int memoryMb;

    @Option(names = "--disk-mb", description = "Disk limit in MB.")
    int diskMb;

    @Option(names = "--max-pids", description = "Process limit.")
    int maxPids;

    @Option(names = "--cpu-weight", description = "Relative CPU weight.")
    int cpuWeight;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Fail the task when it runs longer than this.")
    Duration timeout;

    @Option(names = "--result-file", paramLabel = "PATH", description = "File whose first 10 KiB are the result.")
    String resultFile;

    @Option(names = "--env", paramLabel = "K=V", description = "Environment variable (repeatable).")
    Map<String, String> env = Map.of();

    @Option(names = "--tag", paramLabel = "TAG", description = "Placement tag the executor must have (repeatable).")
    List<String> tags = List.of();

    @Option(names = "--callback-url", paramLabel = "URL", description = "POST the outcome here on completion.")
    String callbackUrl;

    @Option(names = "--annotation", description = "Free text kept with the task (up to 10 KiB).")
    String annotation;

    @Option(names = "--dir", description = "Working directory of the command.")
    String dir;

    @Option(names = "--network", description = "Give the task network access.")
    boolean network;

    @Option(names = "--runtime", paramLabel = "NAME",
            description = "Run only on executors offering this runtime (sandbox, process). Default: any.")
    String runtime = "";

    @Parameters(paramLabel = "COMMAND", description = "The command and its arguments (after --).")
    List<String> command = List.of();

    @Override
    int run(StagerClient client, Output output) throws IOException {
        String taskGuid = guid != null ? guid : UUID.randomUUID().toString();
        Task task = client.desire(taskGuid, domain, definition());
        if (cork.json) {
            output.task(task);
        } else {
            output.line(task.getGuid());
        }
        return 0;
    }

    TaskDefinition definition() throws IOException {
        if (file != null) {
            if (!command.isEmpty()) {
                throw new IllegalArgumentException("give either --file or a command after --, not both");
            }
            TaskDefinition.Builder builder = TaskDefinition.newBuilder();
            JsonFormat.parser().merge(Files.readString(file), builder);
            return builder.build();
        }
        if (command.isEmpty()) {
            throw new IllegalArgumentException("no command: give one after -- (e.g. cork desire --domain d -- echo hi)"
                    + " or a definition with --file");
        }
        Command.Builder cmd = Command.newBuilder().setPath(command.get(0))
                .addAllArgs(command.subList(1, command.size()));
        if (dir != null) {
            cmd.setDir(dir);
        }
        List<EnvironmentVariable> variables = new ArrayList<>();
        env.forEach((name, value) -> variables.add(
                EnvironmentVariable.newBuilder().setName(name).setValue(value).build()));
        cmd.addAllEnv(variables);
        TaskDefinition.Builder definition = TaskDefinition.newBuilder().setCommand(cmd)
                .setResources(Resources.newBuilder().setMemoryMb(memoryMb).setDiskMb(diskMb)
                        .setMaxPids(maxPids).setCpuWeight(cpuWeight))
                .addAllPlacementTags(tags)
                .setNetwork(network)
                .setRuntime(runtime);
        if (timeout != null) {
            definition.setTimeoutMs(timeout.toMillis());
        }
        if (resultFile != null) {
            definition.setResultFile(resultFile);
        }
        if (callbackUrl != null) {
            definition.setCompletionCallbackUrl(callbackUrl);
        }
        if (annotation != null) {
            definition.setAnnotation(annotation);
        }
        return definition.build();
    }
}
