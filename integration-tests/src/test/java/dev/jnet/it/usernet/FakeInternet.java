package dev.jnet.it.usernet;

import dev.jnet.net.IpAddress;
import dev.jnet.usernet.dns.DnsZones;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The fake hosts of the "internet" namespace, on TEST-NET-3 addresses (and 2001:db8::10 for
 * the web server and UDP echo over IPv6) of its loopback device:
 * a web server, a resolver that knows {@code example.test}, UDP echo, and TCP services for the
 * stream tests (echo, reply after EOF, send then read). {@link #CLOSED_PORT} has no listener,
 * so the kernel there answers a SYN with RST.
 */
public final class FakeInternet implements AutoCloseable {
    public static final String WEB_ADDRESS = "203.0.113.10";
    /** The web and UDP echo host's IPv6 address (documentation prefix); DNS answers AAAA with it. */
    public static final String WEB_ADDRESS6 = "2001:db8::10";
    public static final String DNS_ADDRESS = "203.0.113.53";
    public static final String WEB_NAME = "example.test";
    public static final int HTTP_PORT = 80;
    public static final int UDP_ECHO_PORT = 7;
    public static final int ECHO_PORT = 9000;
    public static final int REPLY_AFTER_EOF_PORT = 9001;
    public static final int SEND_THEN_READ_PORT = 9002;
    /** Sends {@link #SOURCE_SIZE} bytes to whoever connects, reads nothing. */
    public static final int SOURCE_PORT = 9003;
    public static final long SOURCE_SIZE = 16L << 20;
    public static final int CLOSED_PORT = 9;
    /** Size of {@code GET /f}. */
    public static final int DOWNLOAD_SIZE = 64 << 20;
    /** Size of what the send-then-read service sends before its half-close. */
    public static final int SEND_THEN_READ_SIZE = 256 << 10;
    private static final long DOWNLOAD_SEED = 0x6a6e6574L;
    private static final long GREETING_SEED = 0x68616c66L;

    /** Made once per JVM: generating and hashing 64 MB costs a few hundred ms. */
    private static byte[] download;
    private static String downloadSha256;

    private final List<AutoCloseable> servers = new ArrayList<>();
    private final byte[] sendThenReadPayload = Digests.seeded(GREETING_SEED, SEND_THEN_READ_SIZE);
    private FakeWebServer web;
    private FakeUdpServer dns;
    private FakeUdpServer udpEcho;
    private FakeWebServer web6;
    private FakeUdpServer udpEcho6;
    private FakeTcpServer echo;
    private FakeTcpServer replyAfterEof;
    private FakeTcpServer sendThenRead;

    private FakeInternet() {}

    /**
     * A further resolver at {@code address}:53 inside {@code netns} (the address already on one
     * of its interfaces) that answers {@link #WEB_NAME} with {@code answer}.
     */
    static FakeUdpServer resolver(String netns, String address, String answer) throws Exception {
        DnsZones answers = new DnsZones().address(WEB_NAME, IpAddress.parse(answer));
        return FakeUdpServer.start(netns, "dns-" + address, new InetSocketAddress(InetAddress.getByName(address), 53),
                q -> answers.answer(q, q.length));
    }

    /** Starts every service inside {@code netns}, whose loopback already holds both addresses. */
    static FakeInternet start(String netns) throws Exception {
        FakeInternet n = new FakeInternet();
        try {
            InetAddress webAddr = InetAddress.getByName(WEB_ADDRESS);
            n.web = n.add(FakeWebServer.start(netns, new InetSocketAddress(webAddr, HTTP_PORT), downloadBytes()));
            InetAddress webAddr6 = InetAddress.getByName(WEB_ADDRESS6);
            n.web6 = n.add(FakeWebServer.start(netns, new InetSocketAddress(webAddr6, HTTP_PORT), downloadBytes()));
            n.udpEcho6 = n.add(FakeUdpServer.start(netns, "udp-echo6", new InetSocketAddress(webAddr6, UDP_ECHO_PORT),
                    FakeUdpServer.echo()));
            DnsZones answers = new DnsZones().address(WEB_NAME, IpAddress.of(webAddr)).address(WEB_NAME, IpAddress.of(webAddr6));
            n.dns = n.add(FakeUdpServer.start(netns, "dns", new InetSocketAddress(InetAddress.getByName(DNS_ADDRESS), 53),
                    q -> answers.answer(q, q.length)));
            n.udpEcho = n.add(FakeUdpServer.start(netns, "udp-echo", new InetSocketAddress(webAddr, UDP_ECHO_PORT),
                    FakeUdpServer.echo()));
            n.echo = n.add(FakeTcpServer.start(netns, "echo", new InetSocketAddress(webAddr, ECHO_PORT),
                    TcpHandlers.echo("echo")));
            n.replyAfterEof = n.add(FakeTcpServer.start(netns, "reply-after-eof",
                    new InetSocketAddress(webAddr, REPLY_AFTER_EOF_PORT), TcpHandlers.replyAfterEof("reply-after-eof")));
            n.sendThenRead = n.add(FakeTcpServer.start(netns, "send-then-read",
                    new InetSocketAddress(webAddr, SEND_THEN_READ_PORT),
                    TcpHandlers.sendThenRead("send-then-read", n.sendThenReadPayload)));
            n.add(FakeTcpServer.start(netns, "source", new InetSocketAddress(webAddr, SOURCE_PORT),
                    TcpHandlers.source(SOURCE_SIZE)));
            return n;
        } catch (Exception | Error e) {
            n.close();
            throw e;
        }
    }

    private <T extends AutoCloseable> T add(T server) {
        servers.add(server);
        return server;
    }

    private static synchronized byte[] downloadBytes() {
        if (download == null) {
            download = Digests.seeded(DOWNLOAD_SEED, DOWNLOAD_SIZE);
            downloadSha256 = Digests.sha256Hex(download);
        }
        return download;
    }

    /** SHA-256 of {@code GET /f}, as sha256sum prints it. */
    public static synchronized String downloadSha256() {
        downloadBytes();
        return downloadSha256;
    }

    /** SHA-256 of {@code GET /f?bytes=N}: the download repeated (or cut) to {@code length} bytes. */
    public static String downloadSha256(long length) {
        return FakeWebServer.sha256Of(downloadBytes(), length);
    }

    /** What arrived by {@code PUT/POST /upload}. */
    public List<Received> uploads() {
        return web.uploads();
    }

    public FakeTcpServer echo() {
        return echo;
    }

    public FakeTcpServer replyAfterEof() {
        return replyAfterEof;
    }

    public FakeTcpServer sendThenRead() {
        return sendThenRead;
    }

    /** SHA-256 of what the send-then-read service sends first. */
    public String sendThenReadSha256() {
        return Digests.sha256Hex(sendThenReadPayload);
    }

    /** Queries the resolver received. */
    public int dnsQueries() {
        return dns.requests();
    }

    public int udpEchoes() {
        return udpEcho.requests();
    }

    /** Datagrams the echo service on {@link #WEB_ADDRESS6} got. */
    public int udpEchoes6() {
        return udpEcho6.requests();
    }

    /** Forgets what earlier tests sent to the TCP services. */
    public void clear() {
        for (FakeTcpServer s : List.of(echo, replyAfterEof, sendThenRead)) {
            if (s != null) {
                s.clear();
            }
        }
    }

    @Override
    public void close() {
        RuntimeException first = null;
        for (int i = servers.size() - 1; i >= 0; i--) {
            try {
                servers.get(i).close();
            } catch (Exception e) {
                if (first == null) {
                    first = new IllegalStateException("closing the fake internet", e);
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        servers.clear();
        if (first != null) {
            throw first;
        }
    }
}
