package dev.corkboard.bench;

import java.lang.management.ManagementFactory;

/**
 * How busy the machine was at one moment: its 1-minute load average (NaN where the OS does not tell) and how many
 * other JVMs were running, such as builds and test runs sharing these cores. Both lower the figures.
 */
record MachineLoad(double loadAverage, long otherJvms) {

    static MachineLoad now() {
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        long self = ProcessHandle.current().pid();
        long otherJvms = ProcessHandle.allProcesses()
                .filter(process -> process.pid() != self)
                .filter(process -> process.info().command().map(command -> command.endsWith("/java")).orElse(false))
                .count();
        return new MachineLoad(load < 0 ? Double.NaN : load, otherJvms);
    }
}
