package dev.corkboard.bench;

import java.lang.management.ManagementFactory;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * How busy the machine was at one moment: its 1-minute load average (NaN where the OS does not tell) and how many
 * other JVMs were running, such as builds and test runs sharing these cores. Both lower the figures.
 */
record MachineLoad(double loadAverage, long otherJvms) {

    static MachineLoad now() {
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        // this JVM and those it started (a BBS under test) are part of the benchmark, not its competition
        Set<Long> ours = Stream.concat(Stream.of(ProcessHandle.current()), ProcessHandle.current().descendants())
                .map(ProcessHandle::pid).collect(Collectors.toSet());
        long otherJvms = ProcessHandle.allProcesses()
                .filter(process -> !ours.contains(process.pid()))
                .filter(process -> process.info().command().map(command -> command.endsWith("/java")).orElse(false))
                .count();
        return new MachineLoad(load < 0 ? Double.NaN : load, otherJvms);
    }
}
