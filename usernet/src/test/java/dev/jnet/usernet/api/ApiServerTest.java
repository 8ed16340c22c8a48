package dev.jnet.usernet.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.usernet.EpollLoop;
import dev.jnet.usernet.MemoryFrameSink;
import dev.jnet.usernet.Stack;
import dev.jnet.usernet.UsernetConfig;
import dev.jnet.usernet.dns.DnsForwarder;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** slirp4netns's API protocol on the production stack's forwards: the replies byte for byte. */
class ApiServerTest {
    @TempDir
    Path dir;
    final UsernetConfig config = UsernetConfig.defaults().withResolvConf(Path.of("/nonexistent/resolv.conf"));
    EpollLoop loop;
    Stack stack;
    ApiServer api;
    Path socket;

    @BeforeEach
    void start() throws Exception {
        loop = new EpollLoop();
        stack = loop.call(() -> Stack.create(config, loop.scheduler, new MemoryFrameSink(), DnsForwarder.of(List.of())));
        socket = dir.resolve("api.sock");
        Files.writeString(socket, "stale"); // slirp4netns replaces what is there
        api = ApiServer.start(loop.loop, stack.forwarding(), socket);
    }

    @AfterEach
    void stop() throws Exception {
        api.close();
        stack.close();
        loop.close();
    }

    /** One request (the client shuts its side down, as rootlesskit and podman do); the whole reply. */
    String call(String request) throws IOException {
        return call(request.getBytes(StandardCharsets.UTF_8), true);
    }

    String call(byte[] request, boolean shutdown) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.write(ByteBuffer.wrap(request));
            if (shutdown) {
                ch.shutdownOutput();
            }
            return readAll(ch);
        }
    }

    static String readAll(SocketChannel ch) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        while (ch.read(buf) >= 0) {
            if (!buf.hasRemaining()) {
                throw new AssertionError("reply too long");
            }
        }
        return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void listConnectionsAndGetStatsAnswerFromTheObserverInReturnFraming() throws Exception {
        assertThat(call("{\"execute\":\"list_connections\"}"))
                .isEqualTo("{\"error\":{\"desc\":\"bad request: unknown execute\"}}"); // no observer: slirp4netns's set
        api.close();
        ApiServer.Observer observer = new ApiServer.Observer() {
            @Override
            public List<dev.jnet.usernet.FlowInfo> flows() {
                return List.of(new dev.jnet.usernet.FlowInfo("tcp", "10.0.2.100", 40000, "203.0.113.10", 80,
                        "ESTABLISHED", 77, 123456, 5, 90, 1500));
            }

            @Override
            public java.util.Map<String, Long> stats() {
                java.util.Map<String, Long> m = new java.util.LinkedHashMap<>();
                m.put("frames_received", 12L);
                m.put("open_fds", 40L);
                return m;
            }
        };
        api = ApiServer.start(loop.loop, stack.forwarding(), socket, observer);
        assertThat(call("{\"execute\":\"list_connections\"}")).isEqualTo("{\"return\":{\"connections\":[{\"proto\":\"tcp\","
                + "\"guest_addr\":\"10.0.2.100\",\"guest_port\":40000,\"remote_addr\":\"203.0.113.10\",\"remote_port\":80,"
                + "\"state\":\"ESTABLISHED\",\"bytes_from_guest\":77,\"bytes_to_guest\":123456,\"packets_from_guest\":5,"
                + "\"packets_to_guest\":90,\"age_ms\":1500}]}}");
        assertThat(call("{\"execute\":\"get_stats\",\"arguments\":{}}"))
                .isEqualTo("{\"return\":{\"frames_received\":12,\"open_fds\":40}}");
    }

    @Test
    void theSocketIsOwnerOnlyAndGoesAwayOnClose() throws Exception {
        assertThat(Files.readAttributes(socket, java.nio.file.attribute.BasicFileAttributes.class).isOther())
                .as("a socket, not the stale file").isTrue();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket))).isEqualTo("rw-------");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly("api.sock");
        }
        api.close();
        assertThat(socket).doesNotExist();
    }

    @Test
    void addListRemoveRoundTripInSlirp4netnsForm() throws Exception {
        int tcp = freePort();
        int udp = freePort();
        assertThat(call("{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"tcp\",\"host_addr\":\"127.0.0.1\","
                + "\"host_port\":" + tcp + ",\"guest_addr\":\"10.0.2.100\",\"guest_port\":80}}"))
                .isEqualTo("{\"return\":{\"id\":1}}");
        assertThat(call("{\"execute\": \"add_hostfwd\", \"arguments\": {\"proto\": \"udp\", \"host_addr\": \"\", "
                + "\"host_port\": " + udp + ", \"guest_port\": 53, \"preserve_source\": true}}\n"))
                .isEqualTo("{\"return\":{\"id\":2}}");
        assertThat(call("{\"execute\":\"list_hostfwd\"}")).isEqualTo("{\"entries\":["
                + "{\"id\":1,\"proto\":\"tcp\",\"host_addr\":\"127.0.0.1\",\"host_port\":" + tcp
                + ",\"guest_addr\":\"10.0.2.100\",\"guest_port\":80},"
                + "{\"id\":2,\"proto\":\"udp\",\"host_addr\":\"0.0.0.0\",\"host_port\":" + udp
                + ",\"guest_addr\":\"10.0.2.100\",\"guest_port\":53,\"preserve_source\":true}]}");
        assertThat(call("{\"execute\":\"remove_hostfwd\",\"arguments\":{\"id\":1}}")).isEqualTo("{\"return\":{}}");
        assertThat(call("{\"execute\":\"remove_hostfwd\",\"arguments\":{\"id\":1}}"))
                .isEqualTo("{\"error\":{\"desc\":\"bad request: remove_hostfwd: bad arguments.id\"}}");
        assertThat(call("{\"execute\":\"list_hostfwd\"}")).startsWith("{\"entries\":[{\"id\":2,");
        assertThat(call("{\"execute\":\"remove_hostfwd\",\"arguments\":{\"id\":2}}")).isEqualTo("{\"return\":{}}");
        assertThat(call("{\"execute\":\"list_hostfwd\"}")).isEqualTo("{\"entries\":[]}");
    }

    @Test
    void anIpv6HostAddressIsListedInShortForm() throws Exception {
        int port = freePort();
        assertThat(call("{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"tcp\",\"host_addr\":\"::1\","
                + "\"host_port\":" + port + ",\"guest_port\":80}}")).isEqualTo("{\"return\":{\"id\":1}}");
        assertThat(call("{\"execute\":\"list_hostfwd\"}")).contains("\"host_addr\":\"::1\"");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "nope|cannot parse JSON",
        "{\"execute\":|cannot parse JSON",
        "[1]|json_object() failed",
        "{}|no execute found",
        "{\"execute\":7}|no execute found",
        "{\"execute\":\"reboot\"}|unknown execute",
        "{\"execute\":\"add_hostfwd\"}|add_hostfwd: bad arguments.proto",
        "{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"sctp\"}}|add_hostfwd: bad arguments.proto",
        "{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"tcp\",\"host_addr\":\"localhost\",\"host_port\":1}}|add_hostfwd: bad arguments.host_addr",
        "{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"tcp\",\"host_addr\":\"256.1.1.1\",\"host_port\":1}}|add_hostfwd: bad arguments.host_addr",
        "{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"tcp\",\"host_addr\":\"127.1\",\"host_port\":1}}|add_hostfwd: bad arguments.host_addr",
        "{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"tcp\",\"host_addr\":\"::1%1\",\"host_port\":1}}|add_hostfwd: bad arguments.host_addr",
        "{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"tcp\",\"host_port\":\"80\",\"guest_port\":80}}|add_hostfwd: bad arguments.host_port",
        "{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"tcp\",\"host_port\":70000,\"guest_port\":80}}|add_hostfwd: bad arguments.host_port",
        "{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"tcp\",\"host_port\":1080,\"guest_addr\":\"x\",\"guest_port\":80}}|add_hostfwd: bad arguments.guest_addr",
        "{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"tcp\",\"host_port\":1080}}|add_hostfwd: bad arguments.guest_port",
        "{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"tcp\",\"host_port\":1080,\"guest_port\":80,\"preserve_source\":\"yes\"}}|add_hostfwd: bad arguments.preserve_source",
        "{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"tcp\",\"host_port\":1080,\"guest_addr\":\"192.0.2.1\",\"guest_port\":80}}|add_hostfwd: bad arguments.guest_addr: guest address 192.0.2.1 is no guest address of 10.0.2.0/24",
        "{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"tcp\",\"host_addr\":\"192.0.2.1\",\"host_port\":1080,\"guest_port\":80}}|add_hostfwd: slirp_add_hostfwd failed: 192.0.2.1:1080/tcp: not an address of this host",
        "{\"execute\":\"remove_hostfwd\"}|remove_hostfwd: bad arguments.id",
        "{\"execute\":\"remove_hostfwd\",\"arguments\":{\"id\":\"1\"}}|remove_hostfwd: bad arguments.id",
        "{\"execute\":\"remove_hostfwd\",\"arguments\":{\"id\":42}}|remove_hostfwd: bad arguments.id",
    })
    void everyBadRequestGetsAnErrorAndTheStackStaysUp(String request, String desc) throws Exception {
        assertThat(call(request)).isEqualTo("{\"error\":{\"desc\":\"bad request: " + desc + "\"}}");
        assertThat(call("{\"execute\":\"list_hostfwd\"}")).isEqualTo("{\"entries\":[]}");
    }

    @Test
    void aPortInUseIsAnErrorReply() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            assertThat(call("{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"tcp\",\"host_addr\":"
                    + "\"127.0.0.1\",\"host_port\":" + port + ",\"guest_port\":80}}"))
                    .isEqualTo("{\"error\":{\"desc\":\"bad request: add_hostfwd: slirp_add_hostfwd failed: 127.0.0.1:"
                            + port + "/tcp: address already in use\"}}");
        }
    }

    @Test
    void oversizedMalformedEmptyAndUnfinishedRequests() throws Exception {
        String big = "{\"execute\":\"list_hostfwd\",\"pad\":\"" + "x".repeat(ApiServer.MAX_REQUEST) + "\"}";
        assertThat(call(big)).isEqualTo("{\"error\":{\"desc\":\"bad request: too large message\"}}");
        assertThat(call(new byte[] {'{', '"', (byte) 0xff, '"', ':', '1', '}'}, true))
                .isEqualTo("{\"error\":{\"desc\":\"bad request: cannot parse JSON\"}}");
        assertThat(call("")).isEqualTo("{\"error\":{\"desc\":\"bad request: cannot parse JSON\"}}");
        // a client that never shuts its side down is answered once the value is whole
        assertThat(call("{\"execute\":\"list_hostfwd\"}".getBytes(StandardCharsets.UTF_8), false))
                .isEqualTo("{\"entries\":[]}");
    }

    @Test
    void aRequestInPiecesIsAnsweredWhenWhole() throws Exception {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            byte[] req = "{\"execute\":\"list_hostfwd\", \"x\": \"\u00e9\"}".getBytes(StandardCharsets.UTF_8);
            int split = "{\"execute\":\"list_hostfwd\", \"x\": \"".length() + 1; // inside the 2-byte é
            ch.write(ByteBuffer.wrap(req, 0, split));
            Thread.sleep(50); // let the first piece be read on its own
            ch.write(ByteBuffer.wrap(req, split, req.length - split));
            assertThat(readAll(ch)).isEqualTo("{\"entries\":[]}");
        }
    }

    @Test
    void aHundredParallelClientsAllGetAnswers() throws Exception {
        List<SocketChannel> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 100; i++) {
                SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                clients.add(ch);
                ch.connect(UnixDomainSocketAddress.of(socket));
            }
            for (SocketChannel ch : clients) { // all connected before any sends: all open at once
                ch.write(ByteBuffer.wrap("{\"execute\":\"list_hostfwd\"}".getBytes(StandardCharsets.UTF_8)));
                ch.shutdownOutput();
            }
            int answered = 0;
            for (SocketChannel ch : clients) {
                if (readAll(ch).equals("{\"entries\":[]}")) {
                    answered++;
                }
            }
            assertThat(answered).isEqualTo(100);
        } finally {
            for (SocketChannel ch : clients) {
                ch.close();
            }
        }
    }
}
