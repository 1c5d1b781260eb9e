package dev.corkboard.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.stream.DoubleStream;

/**
 * CPU time used so far by this JVM, by the etcd it started and by the JVMs it started (a BBS replica run as a process
 * of its own), read from the OS. On a 2-core machine the benchmark,
 * its client stack and etcd share the same cores, so the CPU each side burns per operation says more about where a
 * lifecycle's time goes than latency alone. etcd's share is unknown (NaN) when it is not our child process.
 *
 * @param benchSeconds CPU seconds of this JVM, every thread included (jetcd, grpc, netty, GC, JIT)
 * @param etcdSeconds CPU seconds of etcd processes started by this JVM
 * @param childJvmSeconds CPU seconds of JVMs started by this JVM; 0 when there are none
 * @param jitSeconds time the JIT compilers spent so far; growing inside a measured window means the warm-up was
 *     too short and the compilers took cores from the load and from etcd
 */
record CpuTime(double benchSeconds, double etcdSeconds, double childJvmSeconds, double jitSeconds) {

    private static final CompilationMXBean JIT = ManagementFactory.getCompilationMXBean();

    static CpuTime now() {
        double etcd = descendantSeconds("/etcd")
                .reduce(Double.NaN, (sum, seconds) -> Double.isNaN(sum) ? seconds : sum + seconds);
        double bench = seconds(ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO));
        return new CpuTime(bench, etcd, descendantSeconds("/java").sum(), jitSecondsSoFar());
    }

    private static DoubleStream descendantSeconds(String commandSuffix) {
        return ProcessHandle.current().descendants()
                .filter(process -> process.info().command().map(command -> command.endsWith(commandSuffix))
                        .orElse(false))
                .mapToDouble(process -> seconds(process.info().totalCpuDuration().orElse(Duration.ZERO)));
    }

    /** Seconds the JIT compilers have spent since the JVM started; NaN when the JVM does not say. */
    static double jitSecondsSoFar() {
        return JIT != null && JIT.isCompilationTimeMonitoringSupported()
                ? JIT.getTotalCompilationTime() / 1e3 : Double.NaN;
    }

    CpuTime since(CpuTime earlier) {
        return new CpuTime(benchSeconds - earlier.benchSeconds, etcdSeconds - earlier.etcdSeconds,
                childJvmSeconds - earlier.childJvmSeconds, jitSeconds - earlier.jitSeconds);
    }

    private static double seconds(Duration duration) {
        return duration.toNanos() / 1e9;
    }
}
