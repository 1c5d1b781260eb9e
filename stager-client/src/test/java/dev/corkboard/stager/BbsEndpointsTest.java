package dev.corkboard.stager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BbsEndpointsTest {

    @Test
    void parsesACommaSeparatedListInOrder() {
        BbsEndpoints endpoints = BbsEndpoints.parse("bbs-1:8686, 10.0.0.2:9000,[::1]:8686");

        assertEquals(List.of(InetSocketAddress.createUnresolved("bbs-1", 8686),
                InetSocketAddress.createUnresolved("10.0.0.2", 9000),
                InetSocketAddress.createUnresolved("::1", 8686)), endpoints.addresses());
        assertEquals("bbs-1:8686,10.0.0.2:9000,::1:8686", endpoints.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "bbs-1", "bbs-1:", ":8686", "bbs-1:0", "bbs-1:65536", "bbs-1:http", "a:1,,b:2"})
    void refusesAnEntryThatIsNotHostAndPortNamingIt(String csv) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BbsEndpoints.parse(csv));

        assertTrue(e.getMessage().contains("is not host:port"), e.getMessage());
    }
}
