package dev.corkboard.bbs.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The environment-and-file layer on its own, under a command of another component with its own prefix. */
class ConfigDefaultsTest {

    @Command(name = "converger")
    static final class Options {
        @Option(names = "--pass-interval", defaultValue = "30s")
        String passInterval;

        @Option(names = {"-e", "--etcd-endpoints"}, defaultValue = "http://127.0.0.1:2379")
        String endpoints;
    }

    private static Options parse(Map<String, String> env, Properties file, String... args) {
        Options options = new Options();
        ConfigDefaults defaults = new ConfigDefaults("CONVERGER_", env, file, Optional.empty());
        CommandLine line = new CommandLine(options).setDefaultValueProvider(defaults);
        line.parseArgs(args);
        defaults.requireKnownKeys(line.getCommandSpec());
        return options;
    }

    private static Properties file(String key, String value) {
        Properties properties = new Properties();
        properties.setProperty(key, value);
        return properties;
    }

    @Test
    void theVariableIsThePrefixAndTheLongestNameUpperCasedWithUnderscores() {
        assertEquals("CONVERGER_PASS_INTERVAL", ConfigDefaults.envName("CONVERGER_", "--pass-interval"));
        Options options = parse(Map.of("CONVERGER_ETCD_ENDPOINTS", "http://e:1"), new Properties());
        assertEquals("http://e:1", options.endpoints, "the short name -e does not change the variable");
    }

    @Test
    void layersApplyInOrderFlagEnvironmentFileDefault() {
        Properties file = file("pass-interval", "10s");
        assertEquals("30s", parse(Map.of(), new Properties()).passInterval);
        assertEquals("10s", parse(Map.of(), file).passInterval);
        assertEquals("20s", parse(Map.of("CONVERGER_PASS_INTERVAL", "20s"), file).passInterval);
        assertEquals("5s", parse(Map.of("CONVERGER_PASS_INTERVAL", "20s"), file, "--pass-interval", "5s")
                .passInterval);
    }

    @Test
    void aFileKeyThatNamesNoOptionIsRefused() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> parse(Map.of(), file("pass-intervall", "1s")));
        assertEquals(1, e.problems().size());
        assertEquals(true, e.problems().get(0).contains("unknown key 'pass-intervall'"), e.problems().get(0));
    }
}
