package dev.corkboard.converger;

import dev.corkboard.bbs.store.ConditionalOutcome;
import dev.corkboard.bbs.store.StoreSettings;
import dev.corkboard.converger.rules.Repair;
import io.etcd.jetcd.Client;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * A converger in a process of its own, for process-level tests. Arguments are {@code key=value}: endpoints (comma
 * separated), prefix, id, ttl (seconds), and interval, kick, claim, pending, completed (milliseconds); gate=true makes
 * every page's writes wait for one line on stdin after announcing them.
 *
 * <p>Prints one line per event, prefixed with {@link #MARK} so tests can tell them from logs:
 * {@code ELECTED <id> <create revision>}, {@code DEPOSED <id> <reason>}, {@code DECIDED <count>},
 * {@code WRITE <guid> <repair> <outcome> LANDED|NOT_LANDED}, {@code STATUS LANDED|NOT_LANDED},
 * {@code PASS <ending>}.
 */
public final class ConvergerTestProcess {

    static final String MARK = "@@ ";

    private ConvergerTestProcess() {}

    public static void main(String[] args) throws InterruptedException {
        Map<String, String> options = new HashMap<>();
        for (String arg : args) {
            String[] pair = arg.split("=", 2);
            options.put(pair[0], pair[1]);
        }
        String id = options.get("id");
        ConvergerSettings settings = new ConvergerSettings(millis(options, "interval"), millis(options, "kick"),
                millis(options, "claim"), millis(options, "pending"), millis(options, "completed"),
                Duration.ofSeconds(Long.parseLong(options.get("ttl"))), 100, 8);
        StoreSettings store = StoreSettings.defaults().withPrefix(options.get("prefix"));
        boolean gated = Boolean.parseBoolean(options.getOrDefault("gate", "false"));
        PrintStream out = System.out;
        BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        Client client = Client.builder().endpoints(options.get("endpoints").split(",")).build();
        Converger converger = new Converger(client, settings, store, new SimpleMeterRegistry(), Clock.systemUTC(), id,
                new Printer(out, id, gated, stdin));
        converger.start();
        out.println(MARK + "STARTED " + id);
        out.flush();
        CountDownLatch forever = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            converger.close();
            client.close();
        }));
        forever.await();
    }

    private static Duration millis(Map<String, String> options, String key) {
        return Duration.ofMillis(Long.parseLong(options.get(key)));
    }

    /** Prints every event as one marked line, flushing at once so a SIGSTOP never hides a line written before it. */
    private record Printer(PrintStream out, String id, boolean gated, BufferedReader stdin) implements ConvergerObserver {

        @Override
        public void elected(Leadership.Term term) {
            line("ELECTED " + id + " " + term.fence().createRevision());
        }

        @Override
        public void deposed(Leadership.Term term, String reason) {
            line("DEPOSED " + id + " " + reason);
        }

        @Override
        public void decided(List<Repair> repairs) {
            line("DECIDED " + repairs.size());
            if (gated) {
                try {
                    stdin.readLine();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }

        @Override
        public void repaired(Repair repair, ConditionalOutcome outcome) {
            boolean landed = outcome instanceof ConditionalOutcome.Written
                    || outcome instanceof ConditionalOutcome.Removed;
            line("WRITE " + repair.guid() + " " + repair.getClass().getSimpleName() + " "
                    + outcome.getClass().getSimpleName() + " " + (landed ? "LANDED" : "NOT_LANDED"));
        }

        @Override
        public void repairFailed(Repair repair, Throwable failure) {
            line("WRITE " + repair.guid() + " " + repair.getClass().getSimpleName() + " Error UNKNOWN");
        }

        @Override
        public void statusWritten(boolean landed) {
            line("STATUS " + (landed ? "LANDED" : "NOT_LANDED"));
        }

        @Override
        public void passed(PassReport report) {
            line("PASS " + report.ending().getClass().getSimpleName());
        }

        private void line(String text) {
            synchronized (out) {
                out.println(MARK + text);
                out.flush();
            }
        }
    }
}
