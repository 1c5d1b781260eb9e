package dev.corkboard.bbs.config;

import java.util.List;

/** Configuration that cannot start a process; the message lists every problem, one a line, each naming its setting. */
public final class InvalidConfigException extends RuntimeException {

    private final List<String> problems;

    public InvalidConfigException(List<String> problems) {
        super(String.join(System.lineSeparator(), problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
