package dev.corkboard.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class MemberStatusTest {

    @Test
    void readsTheLeaderFromEtcd34GatewayJson() {
        String json =
                "{\"header\":{\"cluster_id\":\"5298435163934787985\",\"member_id\":\"8645782499530242234\","
                        + "\"revision\":\"1\",\"raft_term\":\"2\"},\"version\":\"3.4.23\",\"dbSize\":\"20480\","
                        + "\"leader\":\"8645782499530242234\",\"raftIndex\":\"5\",\"raftTerm\":\"2\"}";

        MemberStatus status = MemberStatus.parse(json).orElseThrow();

        assertEquals(
                new MemberStatus("8645782499530242234", "8645782499530242234", 2, "3.4.23"), status);
        assertTrue(status.isLeader());
    }

    @Test
    void aMissingLeaderFieldMeansNoLeader() {
        // what etcd 3.4 answers after losing quorum: proto3 JSON omits the zero "leader" field
        String json =
                "{\"header\":{\"cluster_id\":\"2184575303058267866\",\"member_id\":\"7979054583230528458\","
                        + "\"revision\":\"1\",\"raft_term\":\"2\"},\"version\":\"3.4.23\",\"dbSize\":\"20480\","
                        + "\"raftIndex\":\"8\",\"raftTerm\":\"2\",\"raftAppliedIndex\":\"8\","
                        + "\"errors\":[\"etcdserver: no leader\"],\"dbSizeInUse\":\"16384\"}";

        MemberStatus status = MemberStatus.parse(json).orElseThrow();

        assertFalse(status.hasLeader());
        assertFalse(status.isLeader());
    }

    @Test
    void aFollowerIsNotLeader() {
        String json = "{\"header\":{\"member_id\":\"17\"},\"leader\":\"18\",\"raftTerm\":\"4\"}";

        assertFalse(MemberStatus.parse(json).orElseThrow().isLeader());
    }

    @Test
    void somethingElseIsNoStatus() {
        assertEquals(Optional.empty(), MemberStatus.parse("{\"error\":\"etcdserver: no leader\"}"));
    }
}
