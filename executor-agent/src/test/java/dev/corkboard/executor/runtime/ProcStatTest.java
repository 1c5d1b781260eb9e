package dev.corkboard.executor.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProcStatTest {

    @Test
    void parsesSessionAndStartTimeWhateverTheCommandName() {
        String stat = "4242 (a) b (c)) S 1 4240 4241 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 987654 1000 10";

        assertEquals(Optional.of(new ProcStat(4242, 'S', 4241, 987654)), ProcStat.parse(stat));
    }

    @Test
    void theCurrentProcessIsReadable() {
        long pid = ProcessHandle.current().pid();

        assertEquals(pid, ProcStat.read(pid).orElseThrow().pid());
    }

    @Test
    void aTruncatedLineIsEmpty() {
        assertEquals(Optional.empty(), ProcStat.parse("12 (x) S 1 2"));
    }
}
