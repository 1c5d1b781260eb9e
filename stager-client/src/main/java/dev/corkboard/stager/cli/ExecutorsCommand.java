package dev.corkboard.stager.cli;

import dev.corkboard.proto.v1.Capacity;
import dev.corkboard.proto.v1.ExecutorPresence;
import dev.corkboard.proto.v1.ExecutorServiceGrpc;
import dev.corkboard.proto.v1.ExecutorStatus;
import dev.corkboard.proto.v1.ListExecutorsRequest;
import dev.corkboard.stager.StagerClient;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.ToIntFunction;
import picocli.CommandLine.Command;

/**
 * {@code cork executors}: the executors present now (corkboard.v1.ExecutorService/ListExecutors), with what their
 * claimed and running tasks use of their capacity. An executor whose lease expired is no longer listed.
 */
@Command(name = "executors", description = "List the present executors and the capacity their tasks use.")
final class ExecutorsCommand extends BbsCommand {

    static final List<String> COLUMNS = List.of("ID", "ADDRESS", "ZONE", "MEMORY_MB", "DISK_MB", "CONTAINERS",
            "TASKS", "TAGS", "RUNTIMES");

    @Override
    int run(StagerClient client, Output output) {
        List<ExecutorStatus> executors = list(client, cork).stream()
                .sorted(Comparator.comparing(status -> status.getPresence().getExecutorId())).toList();
        if (cork.json) {
            output.jsonArray(executors);
            return 0;
        }
        List<List<String>> rows = new ArrayList<>();
        for (ExecutorStatus status : executors) {
            ExecutorPresence presence = status.getPresence();
            rows.add(List.of(presence.getExecutorId(), presence.getAddress(), orDash(presence.getZone()),
                    usedOfTotal(status, Capacity::getMemoryMb), usedOfTotal(status, Capacity::getDiskMb),
                    usedOfTotal(status, Capacity::getContainers), Integer.toString(status.getTasks()),
                    orDash(String.join(",", presence.getPlacementTagsList())),
                    orDash(String.join(",", presence.getRuntimesList()))));
        }
        output.table(COLUMNS, rows);
        return 0;
    }

    /** Every present executor, as one BBS replica reads them from etcd. */
    static List<ExecutorStatus> list(StagerClient client, Cork cork) {
        return ExecutorServiceGrpc.newBlockingStub(client.channel()).withWaitForReady()
                .withDeadlineAfter(cork.callTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .listExecutors(ListExecutorsRequest.getDefaultInstance()).getExecutorsList();
    }

    private static String usedOfTotal(ExecutorStatus status, ToIntFunction<Capacity> field) {
        return field.applyAsInt(status.getUsed()) + "/" + field.applyAsInt(status.getPresence().getCapacity());
    }

    private static String orDash(String text) {
        return text.isEmpty() ? "-" : text;
    }
}
