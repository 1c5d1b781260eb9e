package dev.corkboard.bbs.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corkboard.testkit.EtcdExtension;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2PingFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2PingFrame;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Clients that send HTTP/2 keepalive pings at the interval the server permits stay connected; pinging faster is
 * answered with GOAWAY too_many_pings. A raw HTTP/2 client sends the pings, because grpc-java's channel will not ping
 * more often than every 10 s and a test at real intervals would take minutes.
 */
class KeepAlivePingsTest {

    @RegisterExtension
    static final EtcdExtension etcd = EtcdExtension.single();

    private static final Duration PERMITTED = Duration.ofMillis(250);

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final List<String> goAways = new CopyOnWriteArrayList<>();
    private final AtomicInteger acks = new AtomicInteger();
    private BbsFixture bbs;

    @AfterEach
    void close() throws Exception {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        if (bbs != null) {
            bbs.close();
        }
    }

    @Test
    void aClientPingingAtThePermittedIntervalStaysConnected() throws Exception {
        bbs = new BbsFixture(etcd.endpoints(), List.of("--permit-keepalive-time", PERMITTED.toMillis() + "ms"));
        Channel channel = pingEvery(PERMITTED.multipliedBy(2));

        await().atMost(Duration.ofSeconds(8)).until(() -> acks.get() >= 6 || !goAways.isEmpty());

        assertEquals(List.of(), goAways);
        assertTrue(channel.isActive(), "the server closed the connection");
    }

    @Test
    void aClientPingingFasterThanPermittedIsSentAwayForTooManyPings() throws Exception {
        bbs = new BbsFixture(etcd.endpoints(), List.of("--permit-keepalive-time", PERMITTED.toMillis() + "ms"));
        pingEvery(PERMITTED.dividedBy(5));

        await().atMost(Duration.ofSeconds(8)).until(() -> !goAways.isEmpty());

        assertTrue(goAways.get(0).contains("too_many_pings"), goAways.toString());
    }

    /** Connects over plaintext HTTP/2 (prior knowledge, as gRPC does) and pings at a fixed rate. */
    private Channel pingEvery(Duration interval) throws InterruptedException {
        Channel channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().build(), new PingRecorder());
                    }
                })
                .connect("127.0.0.1", bbs.server.port()).sync().channel();
        AtomicInteger sent = new AtomicInteger();
        channel.eventLoop().scheduleAtFixedRate(
                () -> channel.writeAndFlush(new DefaultHttp2PingFrame(sent.incrementAndGet())),
                0, interval.toMillis(), TimeUnit.MILLISECONDS);
        return channel;
    }

    private final class PingRecorder extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object frame) {
            try {
                if (frame instanceof Http2PingFrame ping && ping.ack()) {
                    acks.incrementAndGet();
                } else if (frame instanceof Http2GoAwayFrame goAway) {
                    goAways.add(goAway.errorCode() + " " + goAway.content().toString(StandardCharsets.UTF_8));
                }
            } finally {
                ReferenceCountUtil.release(frame);
            }
        }
    }
}
