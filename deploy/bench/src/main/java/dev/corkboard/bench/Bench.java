package dev.corkboard.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Entry point of the benchmark jar. Each benchmark is a subcommand; {@code all} is the full run that
 * {@code deploy/bench/run} starts when given no other.
 */
@Command(name = "corkboard-bench",
        description = "On-demand Corkboard benchmarks against a real etcd. Not part of the test suite.",
        subcommands = {FullBenchmark.class, StoreBenchmark.class, StoreDemo.class, ConvergerBenchmark.class, ExecutorBenchmark.class,
            CommandLine.HelpCommand.class})
public final class Bench implements Runnable {

    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "name a benchmark, e.g. 'all', 'store', or 'demo'");
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new Bench()).execute(args));
    }
}
