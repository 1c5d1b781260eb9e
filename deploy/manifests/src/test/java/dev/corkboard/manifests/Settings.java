package dev.corkboard.manifests;

import dev.corkboard.bbs.config.ProcessMain;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** How deploy/ files name settings: {@code CORKBOARD_*} variables anywhere in their text, flags on command lines. */
final class Settings {

    private static final Pattern VARIABLE = Pattern.compile(ProcessMain.ENV_PREFIX + "[A-Z0-9_]+");

    private Settings() {}

    /** Every {@code CORKBOARD_*} variable mentioned in {@code text}, comments included. */
    static Set<String> mentioned(String text) {
        Set<String> variables = new TreeSet<>();
        Matcher matcher = VARIABLE.matcher(text);
        while (matcher.find()) {
            variables.add(matcher.group());
        }
        return variables;
    }

    /** The variables every component reads, for files that speak of all of them (READMEs). */
    static Set<String> anyComponent() {
        Set<String> variables = new TreeSet<>();
        for (Component component : Component.values()) {
            variables.addAll(component.variables());
        }
        return variables;
    }

    /** Each variable of {@code text} that {@code accepted} lacks, as a problem naming {@code where}. */
    static List<String> unknownVariables(String where, String text, Set<String> accepted, String whose) {
        List<String> problems = new ArrayList<>();
        for (String variable : mentioned(text)) {
            if (!accepted.contains(variable)) {
                problems.add(where + ": " + variable + " is no setting of " + whose);
            }
        }
        return problems;
    }

    /**
     * The flags among {@code arguments} (words starting with '-', up to an '=') that {@code component} does not
     * accept.
     */
    static List<String> unknownFlags(String where, List<String> arguments, Component component) {
        Set<String> flags = component.flags();
        return arguments.stream()
                .filter(argument -> argument.startsWith("-"))
                .map(argument -> argument.split("=", 2)[0])
                .filter(flag -> !flags.contains(flag))
                .map(flag -> where + ": " + flag + " is no flag of " + component.module)
                .toList();
    }

    /** The words after {@code -jar JAR} of a java command line split on blanks; empty without {@code -jar}. */
    static List<String> argumentsAfterJar(String commandLine) {
        List<String> words = Arrays.asList(commandLine.trim().split("\\s+"));
        int jar = words.indexOf("-jar");
        return jar < 0 || jar + 2 > words.size() ? List.of() : words.subList(jar + 2, words.size());
    }

    /** The jar of {@code -jar JAR} on a java command line. */
    static String jarOf(String commandLine) {
        List<String> words = Arrays.asList(commandLine.trim().split("\\s+"));
        int jar = words.indexOf("-jar");
        return jar < 0 || jar + 1 >= words.size() ? "" : words.get(jar + 1);
    }
}
