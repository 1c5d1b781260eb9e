package dev.corkboard.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateFileTest {

    @TempDir
    Path dir;

    @Test
    void aWrittenStateReadsBackEqual() {
        ClusterState planned = Plans.plan(dir, new Topology(3, 2, 2, 1), true);
        ClusterState started = planned.with(planned.member("bbs-2").orElseThrow().withPid(4242));

        StateFile.write(started);

        assertEquals(Optional.of(started), StateFile.read(dir));
    }

    @Test
    void aStateFileWithoutAnExecutorTtlMeansTheBbsDefault() throws IOException {
        StateFile.write(Plans.plan(dir, Topology.DEFAULT, true));
        Path file = dir.resolve(StateFile.NAME);
        Files.writeString(file, Files.readString(file).replace("\"executor_ttl\": \"\"", "\"unused\": 0"));

        assertEquals("", StateFile.read(dir).orElseThrow().executorTtl());
    }

    @Test
    void theFileUsesSnakeCaseKeysAndRoleLabels() throws IOException {
        StateFile.write(Plans.plan(dir, Topology.DEFAULT, true));

        String json = Files.readString(dir.resolve(StateFile.NAME));

        assertTrue(json.contains("\"bbs_endpoints\""), json);
        assertTrue(json.contains("\"role\": \"converger\""), json);
    }

    @Test
    void aDirectoryWithoutAStateFileHoldsNoCluster() {
        assertEquals(Optional.empty(), StateFile.read(dir));
    }

    @Test
    void aFileThatIsNotAStateFileIsReportedWithTheWayOut() throws IOException {
        Files.writeString(dir.resolve(StateFile.NAME), "[1, 2");

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> StateFile.read(dir));

        assertTrue(e.getMessage().contains("remove " + dir), e.getMessage());
    }

    @Test
    void theBbsEndpointsFileIsOneLineForCorkAndGoesAway() throws IOException {
        StateFile.writeBbsEndpoints(dir, List.of("127.0.0.1:1", "127.0.0.1:2"));
        assertEquals("127.0.0.1:1,127.0.0.1:2\n", Files.readString(dir.resolve(StateFile.BBS_ENDPOINTS)));

        StateFile.removeBbsEndpoints(dir);
        assertFalse(Files.exists(dir.resolve(StateFile.BBS_ENDPOINTS)));
    }
}
