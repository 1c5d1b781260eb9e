package dev.corkboard.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MemberProcessTest {

    private static final List<String> COMMAND = List.of("/usr/bin/etcd", "--name=etcd-1", "--data-dir=/c/data/etcd-1");

    @Test
    void procCmdlineIsSplitAtItsNulBytes() {
        byte[] cmdline = "/usr/bin/etcd\0--name=etcd-1\0--data-dir=/c/data/etcd-1\0".getBytes(StandardCharsets.UTF_8);

        assertEquals(COMMAND, MemberProcess.parseCommandLine(cmdline));
    }

    @Test
    void aZombieHasAnEmptyCommandLine() {
        assertEquals(List.of(), MemberProcess.parseCommandLine(new byte[0]));
    }

    @Test
    void theMemberIsTheProcessRunningItsExactCommand() {
        assertTrue(MemberProcess.runs(COMMAND, COMMAND));
    }

    @Test
    void theMemberIsAlsoTheSetsidAboutToExecIt() {
        List<String> beforeExec = new ArrayList<>(List.of("setsid"));
        beforeExec.addAll(COMMAND);

        assertTrue(MemberProcess.runs(beforeExec, COMMAND));
    }

    @Test
    void aReusedPidRunningAnythingElseIsNotTheMember() {
        assertFalse(MemberProcess.runs(List.of("/bin/bash"), COMMAND));
        assertFalse(MemberProcess.runs(List.of(), COMMAND));
        assertFalse(MemberProcess.runs(List.of("/usr/bin/etcd", "--name=etcd-1", "--data-dir=/other/etcd-1"),
                COMMAND));
    }

    @Test
    void aMemberNeverStartedIsNotRunning() {
        Member never = Plans.plan(Path.of("/tmp/x"), Topology.DEFAULT, true).processes().get(0);

        assertFalse(MemberProcess.isRunning(never));
    }
}
