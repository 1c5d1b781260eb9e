package dev.corkboard.stager.cli;

import dev.corkboard.stager.BbsEndpoints;
import dev.corkboard.stager.ClientTls;
import dev.corkboard.stager.StagerClient;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cork}: the operator's and stager's command line for Corkboard. */
@Command(name = "cork", mixinStandardHelpOptions = true, versionProvider = Cork.Version.class,
        description = "Desire, inspect, wait for and resolve Corkboard tasks; list executors and read task logs.",
        subcommands = {DesireCommand.class, TaskCommand.class, TasksCommand.class, CancelCommand.class,
            WaitCommand.class, ResolveCommand.class, WatchCommand.class, ConvergerCommand.class,
            ExecutorsCommand.class, LogsCommand.class, CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success (wait: the task succeeded)", "1:wait: the task failed",
            "2:wait: timed out", "3:the BBS refused the request or could not be reached (logs: also the task has no executor, its executor is"
                + " gone, refused or could not be reached)", "64:usage error"})
public final class Cork {

    static final int TASK_FAILED = 1;
    static final int TIMED_OUT = 2;
    static final int BBS_ERROR = 3;
    static final int USAGE = 64;

    @Option(names = "--bbs", paramLabel = "HOST:PORT[,HOST:PORT...]",
            defaultValue = "${env:CORKBOARD_BBS:-" + BbsEndpoints.DEFAULT + "}",
            description = "BBS endpoints (default: $CORKBOARD_BBS, else ${DEFAULT-VALUE}).")
    String bbs;

    @Option(names = "--json", description = "Print protobuf's canonical JSON instead of tables.")
    boolean json;

    @Option(names = "--call-timeout", paramLabel = "DURATION", defaultValue = "10s",
            converter = DurationConverter.class, description = "Deadline of each call (default: ${DEFAULT-VALUE}).")
    Duration callTimeout;

    @Option(names = "--tls-ca", paramLabel = "PEM", defaultValue = "${env:CORKBOARD_TLS_CA}",
            description = "Talk TLS, trusting this CA (default: $CORKBOARD_TLS_CA).")
    Path tlsCa;

    @Option(names = "--tls-cert", paramLabel = "PEM", defaultValue = "${env:CORKBOARD_TLS_CERT}",
            description = "Client certificate for mutual TLS (default: $CORKBOARD_TLS_CERT).")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "PEM", defaultValue = "${env:CORKBOARD_TLS_KEY}",
            description = "Client private key for mutual TLS (default: $CORKBOARD_TLS_KEY).")
    Path tlsKey;

    StagerClient connect() {
        return StagerClient.connect(BbsEndpoints.parse(bbs), tls(), callTimeout);
    }

    /** The TLS of the --tls-* options, for the BBS and for executors alike; empty for plaintext. */
    Optional<ClientTls> tls() {
        Optional<ClientTls> tls = Optional.ofNullable(tlsCa).map(ca -> new ClientTls(ca,
                Optional.ofNullable(tlsCert), Optional.ofNullable(tlsKey)));
        if (tls.isEmpty() && (tlsCert != null || tlsKey != null)) {
            throw new IllegalArgumentException("--tls-cert and --tls-key need --tls-ca");
        }
        return tls;
    }

    public static void main(String[] args) {
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "dev/corkboard/stager/cli/logback.xml");
        }
        System.exit(commandLine().execute(args));
    }

    /** The command line with Corkboard's error handling: one line on stderr and a non-zero exit code; for embedding. */
    public static CommandLine commandLine() {
        Cork cork = new Cork();
        CommandLine commandLine = new CommandLine(cork);
        commandLine.setExecutionExceptionHandler((e, line, parsed) -> {
            PrintWriter err = line.getErr();
            if (e instanceof StatusRuntimeException status) {
                Status.Code code = status.getStatus().getCode();
                String where = code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED
                        ? " (BBS at " + cork.bbs + ")" : "";
                err.println("cork: " + code + ": "
                        + Optional.ofNullable(status.getStatus().getDescription()).orElse("(no description)") + where);
                return BBS_ERROR;
            }
            if (e instanceof IllegalArgumentException || e instanceof java.io.UncheckedIOException) {
                err.println("cork: " + e.getMessage());
                return USAGE;
            }
            throw e;
        });
        commandLine.setParameterExceptionHandler((e, args) -> {
            e.getCommandLine().getErr().println("cork: " + e.getMessage());
            return USAGE;
        });
        return commandLine;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"cork " + Optional.ofNullable(Cork.class.getPackage().getImplementationVersion())
                    .orElse("(development build)")};
        }
    }
}
