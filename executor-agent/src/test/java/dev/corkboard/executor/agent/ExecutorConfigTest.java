package dev.corkboard.executor.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corkboard.bbs.config.InvalidConfigException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExecutorConfigTest {

    @Test
    void defaultsDescribeASandboxExecutorOnTheLocalBbs() {
        ExecutorConfig config = ExecutorConfig.parse(new String[] {"--executor-id=cell-1"}, Map.of());

        assertEquals("cell-1", config.executorId());
        assertEquals("sandbox", config.runtime());
        assertEquals(List.of("sandbox"), config.runtimes());
        assertEquals(8, config.capacity().getContainers());
        assertEquals(Path.of("/var/lib/corkboard/executor/spool"), config.spoolDir());
        assertEquals(Path.of("/var/lib/corkboard/executor/logs"), config.logDir());
        assertEquals(Duration.ofSeconds(30), config.drainTimeout());
        assertEquals("corkboard-cell-1-", config.ownerPrefix());
        assertEquals(101_000, config.taskUid());
        assertEquals(101_000, config.taskGid());
    }

    @Test
    void flagsWinOverTheEnvironment() {
        ExecutorConfig config = ExecutorConfig.parse(new String[] {"--containers=3", "--tags=gpu, ssd"},
                Map.of("CORKBOARD_CONTAINERS", "5", "CORKBOARD_EXECUTOR_ID", "from-env",
                        "CORKBOARD_RUNTIME", "process"));

        assertEquals(3, config.capacity().getContainers());
        assertEquals("from-env", config.executorId());
        assertEquals("process", config.runtime());
        assertEquals(List.of("gpu", "ssd"), config.placementTags());
    }

    @Test
    void everyBadSettingIsNamedWithWhatItAccepts() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ExecutorConfig.parse(
                new String[] {"--executor-id=bad/id", "--runtime=docker", "--containers=0", "--claim-wait=5m",
                    "--tags=ok,no space", "--root-fs-dir=/no/such/dir", "--task-uid=100500", "--task-gid=0"},
                Map.of()));

        String message = e.getMessage();
        assertTrue(message.contains("--executor-id"), message);
        assertTrue(message.contains("--runtime: expected one of [sandbox, oci, process], got 'docker'"), message);
        assertTrue(message.contains("--containers"), message);
        assertTrue(message.contains("--claim-wait"), message);
        assertTrue(message.contains("--tags"), message);
        assertTrue(message.contains("--root-fs-dir: expected an existing directory, got '/no/such/dir'"), message);
        assertTrue(message.contains("--task-uid: expected an id outside 100000-100999"), message);
        assertTrue(message.contains("--task-gid"), message);
    }
}
