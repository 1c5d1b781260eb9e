package dev.corkboard.bbs.config;

import picocli.CommandLine.Option;

/**
 * The options every Corkboard process has, mixed into its picocli options with {@code @Mixin}: help, and the
 * properties file its other settings may come from.
 */
public final class CommonOptions {

    /** How every process's help explains where settings come from; ends a command's description. */
    public static final String SETTINGS_HELP = "Every option can also be set by the environment variable"
            + " CORKBOARD_<OPTION> (upper case, dashes as underscores, e.g. CORKBOARD_LISTEN) or by the key <option>"
            + " (e.g. listen) in the properties file given by --config; flags win over the environment, which wins"
            + " over the file.";

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Print this help and exit.")
    public boolean help;

    @Option(names = ConfigDefaults.CONFIG_OPTION, paramLabel = "FILE", defaultValue = "",
            description = "Properties file of settings (keys are option names without dashes).")
    public String config;
}
