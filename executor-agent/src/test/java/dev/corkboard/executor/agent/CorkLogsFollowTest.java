package dev.corkboard.executor.agent;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corkboard.executor.runtime.RuntimeSettings;
import dev.corkboard.proto.v1.TaskState;
import dev.corkboard.stager.cli.Cork;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

/** {@code cork logs} against a real agent: the lines of a running task, live, then the rest once it ends. */
class CorkLogsFollowTest {

    @RegisterExtension
    static final LiveCluster live = LiveCluster.withBbsReplicas(1);

    private Path dir;

    private AgentCluster cluster;

    @BeforeEach
    void start() {
        cluster = live.cluster();
        dir = live.dir();
    }


    @Test
    void followingARunningTaskShowsItsLinesAsTheyComeAndEndsWithTheTask() throws IOException {
        cluster.startAgent("cell-1");
        cluster.desire("follow-1", AgentCluster.shell(
                "echo first; echo oops >&2; while [ ! -e /task/go ]; do sleep 0.05; done; echo second"));
        await().atMost(Duration.ofSeconds(20)).until(() -> cluster.client().get("follow-1").getState()
                == TaskState.RUNNING);

        StringWriter out = new StringWriter();
        CompletableFuture<Integer> follow = CompletableFuture.supplyAsync(() -> cork(out, "logs", "follow-1", "-f"));
        await().atMost(Duration.ofSeconds(10)).until(() -> out.toString().contains(" stdout first"));
        assertTrue(out.toString().contains(" stderr oops"), out.toString());
        assertTrue(!out.toString().contains("second"), "the task has not printed it yet");

        Files.writeString(dir.resolve("cell-1").resolve("containers")
                .resolve(RuntimeSettings.ownerPrefixFor("cell-1") + "follow-1").resolve("task").resolve("go"), "");

        assertEquals(0, follow.orTimeout(20, java.util.concurrent.TimeUnit.SECONDS).join());
        assertTrue(out.toString().contains(" stdout second"), out.toString());
        assertTrue(out.toString().indexOf(" stdout first") < out.toString().indexOf(" stdout second"));
    }

    @Test
    void readingAFinishedTaskPrintsEveryLineWithTheExecutorsOwnLines() {
        cluster.startAgent("cell-1");
        cluster.desire("done-1", AgentCluster.shell("echo one; echo two; exit 4"));
        cluster.awaitCompleted("done-1", Duration.ofSeconds(20));

        StringWriter out = new StringWriter();
        assertEquals(0, cork(out, "logs", "done-1"));

        String text = out.toString();
        assertTrue(text.contains(" stdout one") && text.contains(" stdout two"), text);
        assertTrue(text.contains(" executor exit status 4"), text);
    }

    private int cork(StringWriter out, String... args) {
        CommandLine line = Cork.commandLine();
        line.setOut(new PrintWriter(out, true));
        line.setErr(new PrintWriter(new StringWriter(), true));
        String[] all = new String[args.length + 2];
        all[0] = "--bbs";
        all[1] = cluster.bbsEndpoint();
        System.arraycopy(args, 0, all, 2, args.length);
        return line.execute(all);
    }
}
