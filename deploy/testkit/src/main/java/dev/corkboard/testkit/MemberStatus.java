package dev.corkboard.testkit;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one member says about itself through etcd's JSON gateway ({@code /v3/maintenance/status}).
 * Ids are kept as the decimal strings etcd prints: they are unsigned 64-bit values.
 *
 * @param memberId this member's raft id
 * @param leaderId the id of the leader this member follows, {@code "0"} when it knows none
 * @param raftTerm the raft term this member is in
 * @param version the etcd server version
 */
public record MemberStatus(String memberId, String leaderId, long raftTerm, String version) {

    private static final String NO_LEADER = "0";

    // The gateway's JSON is flat enough that two fields do not justify a JSON library on the
    // testkit's compile classpath. proto3 JSON leaves out zero values, so a missing leader means 0.
    private static final Pattern MEMBER_ID = field("member_id");
    private static final Pattern LEADER = field("leader");
    private static final Pattern RAFT_TERM = field("raftTerm");
    private static final Pattern VERSION = Pattern.compile("\"version\"\\s*:\\s*\"([^\"]*)\"");

    /** Whether this member is the raft leader. */
    public boolean isLeader() {
        return !NO_LEADER.equals(leaderId) && leaderId.equals(memberId);
    }

    /** Whether this member currently follows some leader, itself included. */
    public boolean hasLeader() {
        return !NO_LEADER.equals(leaderId);
    }

    /** Parses a status response; empty when it carries no member id (not a status response). */
    static Optional<MemberStatus> parse(String json) {
        Optional<String> memberId = find(MEMBER_ID, json);
        if (memberId.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(
                new MemberStatus(
                        memberId.get(),
                        find(LEADER, json).orElse(NO_LEADER),
                        Long.parseLong(find(RAFT_TERM, json).orElse("0")),
                        find(VERSION, json).orElse("")));
    }

    private static Pattern field(String name) {
        // etcd prints 64-bit numbers as JSON strings; accept bare numbers too.
        return Pattern.compile("\"" + name + "\"\\s*:\\s*\"?(\\d+)\"?");
    }

    private static Optional<String> find(Pattern pattern, String json) {
        Matcher matcher = pattern.matcher(json);
        return matcher.find() ? Optional.of(matcher.group(1)) : Optional.empty();
    }
}
