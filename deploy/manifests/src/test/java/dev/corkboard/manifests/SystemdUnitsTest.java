package dev.corkboard.manifests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SystemdUnitsTest {

    private final SystemdUnits units = new SystemdUnits(Checkout.root());

    @Test
    void thereIsAUnitPerComponentWithTheSectionsAndKeysASupervisedProcessNeeds() {
        assertEquals(List.of("corkboard-bbs.service", "corkboard-converger.service", "corkboard-executor.service"),
                units.unitFiles().stream().map(file -> file.getFileName().toString()).toList());
        assertEquals(List.of(), units.structureProblems());
    }

    @Test
    void everyFlagAndVariableIsASettingOfTheComponentTheUnitRuns() {
        assertEquals(List.of(), units.settingProblems());
    }

    @Test
    void stopTimeoutsOutlastGracefulStopsAndOnlyTheExecutorKeepsRoot() {
        assertEquals(List.of(), units.privilegeAndStopProblems());
    }

    @Test
    void aVariableTheExecutorDoesNotReadIsReported(@TempDir Path copy) {
        Checkout.copyTo(copy);
        Checkout.edit(copy, SystemdUnits.DIR + "/corkboard-executor.env", "CORKBOARD_DRAIN_TIMEOUT=",
                "CORKBOARD_DRAIN_PERIOD=");

        assertContains(new SystemdUnits(copy).settingProblems(),
                "corkboard-executor.env: CORKBOARD_DRAIN_PERIOD is no setting of executor-agent");
    }

    @Test
    void aFlagTheServerLacksOnExecStartIsReported(@TempDir Path copy) {
        Checkout.copyTo(copy);
        Checkout.edit(copy, SystemdUnits.DIR + "/corkboard-bbs.service", "corkboard-bbs-server.jar\n",
                "corkboard-bbs-server.jar --listen-address 0.0.0.0:8686\n");

        assertContains(new SystemdUnits(copy).settingProblems(),
                "corkboard-bbs.service ExecStart: --listen-address is no flag of bbs-server");
    }

    @Test
    void aStopTimeoutShorterThanTheDrainIsReported(@TempDir Path copy) {
        Checkout.copyTo(copy);
        Checkout.edit(copy, SystemdUnits.DIR + "/corkboard-executor.service", "TimeoutStopSec=90s",
                "TimeoutStopSec=30s");

        assertContains(new SystemdUnits(copy).privilegeAndStopProblems(),
                "corkboard-executor.service: TimeoutStopSec PT30S leaves no room for a graceful stop of PT40S"
                        + " ([--drain-timeout, --call-timeout])");
    }

    @Test
    void aCredentialTheUnitDoesNotLoadIsReported(@TempDir Path copy) {
        Checkout.copyTo(copy);
        Checkout.edit(copy, SystemdUnits.DIR + "/corkboard-bbs.service", "LoadCredential=tls.key:",
                "LoadCredential=server.key:");

        assertContains(new SystemdUnits(copy).settingProblems(), "corkboard-bbs.env:"
                + " /run/credentials/corkboard-bbs.service/tls.key is no credential corkboard-bbs.service loads"
                + " [tls.crt, server.key, client-ca.crt, etcd-ca.crt, etcd-client.crt, etcd-client.key]");
    }

    static void assertContains(List<String> problems, String expected) {
        assertTrue(problems.contains(expected), () -> "expected the problem\n  " + expected + "\namong\n  "
                + String.join("\n  ", problems));
    }
}
