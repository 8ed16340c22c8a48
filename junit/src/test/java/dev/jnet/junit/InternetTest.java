package dev.jnet.junit;

import static dev.jnet.junit.TopologyTest.run;
import static dev.jnet.junit.TopologyTest.topology;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A namespace's user-mode internet against real tools inside it: dig asks the stack's DNS and
 * gets the test's zones, curl reaches the fake host's in-JVM handler and nothing else, ping
 * answers for declared hosts only, a published loopback port reaches a server in the guest.
 */
class InternetTest {
    @TempDir
    Path dir;

    static void answer(Socket s, String body) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
        for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
            // the request's head: read to its end
        }
        OutputStream out = s.getOutputStream();
        out.write(("HTTP/1.0 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    @ParameterizedTest(name = "rootless={0}")
    @ValueSource(booleans = {false, true})
    void fakeHostsDnsZonesAndPublishedPorts(boolean rootless) throws Exception {
        try (Topology t = topology(rootless, dir.resolve("pcap"))) {
            Netns guest = t.namespace("guest");
            Internet net = t.internet(guest);
            net.host("192.0.2.10").serve(80, s -> answer(s, "hello from 192.0.2.10"));
            net.address("web.example.test", "192.0.2.10").address("web.example.test", "2001:db8::10")
                    .cname("www.example.test", "web.example.test");

            assertThat(run(guest, "dig", "+short", "+time=3", "+tries=2", "@" + Internet.DNS, "www.example.test", "A")
                    .lines()).containsExactly("web.example.test.", "192.0.2.10");
            assertThat(run(guest, "dig", "+short", "+time=3", "+tries=2", "@" + Internet.DNS, "web.example.test", "AAAA")
                    .lines()).containsExactly("2001:db8::10");
            assertThat(run(guest, "dig", "+time=3", "+tries=2", "@" + Internet.DNS, "example.com", "A"))
                    .contains("status: NXDOMAIN");

            assertThat(run(guest, "curl", "-sS", "--max-time", "10", "http://192.0.2.10/"))
                    .isEqualTo("hello from 192.0.2.10");
            Process refused = guest.start(new ProcessBuilder().redirectErrorStream(true),
                    "curl", "-sS", "--max-time", "10", "http://198.51.100.99/");
            String why = new String(refused.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(refused.waitFor()).as(why).isEqualTo(7); // at once, not after --max-time
            assertThat(why).contains("Couldn't connect to server");
            run(guest, "ping", "-c1", "-W3", "192.0.2.10");
            assertThat(guest.start("ping", "-c1", "-W1", "198.51.100.99").waitFor()).isNotZero();

            Path www = Files.createDirectories(dir.resolve("www"));
            Files.writeString(www.resolve("index.html"), "served inside the guest");
            guest.start("busybox", "httpd", "-f", "-p", "8080", "-h", www.toString());
            int port = net.publish(8080);
            assertThat(get(port, "/index.html")).endsWith("served inside the guest");
        }
    }

    @ParameterizedTest(name = "rootless={0}")
    @ValueSource(booleans = {false, true})
    void ipv6HostsDnsOverTcpAndUdpPortsApart(boolean rootless) throws Exception {
        try (Topology t = topology(rootless, dir.resolve("pcap"));
                DatagramSocket udp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            Netns guest = t.namespace("guest");
            Internet net = t.internet(guest);
            net.host("2001:db8::10").serve(80, s -> answer(s, "hello from 2001:db8::10"));
            net.host("192.0.2.10").serve(80, s -> answer(s, "hello from 192.0.2.10"));
            net.address("web.example.test", "192.0.2.10").address("web.example.test", "2001:db8::10")
                    .cname("www.example.test", "web.example.test");

            // IPv6: the guest is dual-stack; AAAA, HTTP and ping to a declared IPv6 host
            assertThat(run(guest, "ip", "-6", "addr", "show", "dev", "tap0")).contains("inet6 " + Internet.GUEST6 + "/64");
            assertThat(run(guest, "dig", "+short", "+time=3", "+tries=2", "@" + Internet.DNS6, "www.example.test", "AAAA")
                    .lines()).containsExactly("web.example.test.", "2001:db8::10");
            assertThat(run(guest, "curl", "-6", "-sS", "--max-time", "10", "http://[2001:db8::10]/"))
                    .isEqualTo("hello from 2001:db8::10");
            assertThat(run(guest, "ping", "-6", "-c1", "-W3", "2001:db8::10")).contains("1 received");
            Process refused = guest.start(new ProcessBuilder().redirectErrorStream(true),
                    "curl", "-6", "-sS", "--max-time", "10", "http://[2001:db8::99]/");
            String why = new String(refused.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(refused.waitFor()).as(why).isEqualTo(7); // undeclared: refused at once
            assertThat(guest.start("ping", "-6", "-c1", "-W1", "2001:db8::99").waitFor()).isNotZero();

            // DNS over TCP to both DNS addresses: the zones answer, not a loopback port with nothing behind
            assertThat(run(guest, "dig", "+tcp", "+short", "+time=3", "+tries=1", "@" + Internet.DNS,
                    "www.example.test", "A").lines()).containsExactly("web.example.test.", "192.0.2.10");
            assertThat(run(guest, "dig", "+tcp", "+short", "+time=3", "+tries=1", "@" + Internet.DNS6,
                    "web.example.test", "AAAA").lines()).containsExactly("2001:db8::10");
            assertThat(run(guest, "dig", "+tcp", "+time=3", "+tries=1", "@" + Internet.DNS, "example.com", "A"))
                    .contains("status: NXDOMAIN");

            // UDP: a served TCP port captures no UDP; forwardUdp sends the port's datagrams to a loopback socket
            Process noUdp = guest.start(new ProcessBuilder().redirectErrorStream(true),
                    "dig", "+time=2", "+tries=1", "-p", "80", "@192.0.2.10", "www.example.test", "A");
            String noUdpOut = new String(noUdp.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(noUdp.waitFor()).as(noUdpOut).isNotZero();
            net.host("192.0.2.10").forwardUdp(80, (InetSocketAddress) udp.getLocalSocketAddress());
            net.host("2001:db8::10").forwardUdp(53, (InetSocketAddress) udp.getLocalSocketAddress());
            Thread refuser = new Thread(() -> refuseQueries(udp), "refuser");
            refuser.setDaemon(true);
            refuser.start();
            assertThat(run(guest, "dig", "+time=3", "+tries=2", "-p", "80", "@192.0.2.10", "www.example.test", "A"))
                    .contains("status: REFUSED");
            assertThat(run(guest, "dig", "+time=3", "+tries=2", "@2001:db8::10", "www.example.test", "A"))
                    .contains("status: REFUSED");
            assertThat(run(guest, "curl", "-sS", "--max-time", "10", "http://192.0.2.10/"))
                    .as("TCP port 80 still served").isEqualTo("hello from 192.0.2.10");
        }
    }

    /** Answers every DNS query on {@code udp} with REFUSED (its question echoed): proof it arrived here. */
    private static void refuseQueries(DatagramSocket udp) {
        byte[] buf = new byte[1500];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        while (!udp.isClosed()) {
            try {
                p.setLength(buf.length);
                udp.receive(p);
                if (p.getLength() < 12) {
                    continue;
                }
                buf[2] |= (byte) 0x80;                      // QR: a response
                buf[3] = (byte) ((buf[3] & 0xF0) | 5);     // RCODE 5: REFUSED
                buf[6] = buf[7] = buf[8] = buf[9] = buf[10] = buf[11] = 0; // no answer/authority/additional (OPT)
                udp.send(new DatagramPacket(buf, questionEnd(buf, p.getLength()), p.getSocketAddress()));
            } catch (IOException e) {
                return; // closed with the test
            }
        }
    }

    /** The end of the (one) question of a query: its name, type and class. */
    private static int questionEnd(byte[] q, int length) {
        int i = 12;
        while (i < length && q[i] != 0) {
            i += (q[i] & 0xFF) + 1;
        }
        return Math.min(i + 5, length);
    }

    /** GET through the published port, until the guest's server listens (bounded). */
    static String get(int port, String path) throws Exception {
        IOException last = null;
        for (int i = 0; i < 100; i++) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                s.getOutputStream().write(("GET " + path + " HTTP/1.0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                String r = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                if (r.startsWith("HTTP/1.")) {
                    return r;
                }
            } catch (IOException e) {
                last = e;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("nothing answered on the published port " + port, last);
    }

    @ParameterizedTest(name = "rootless={0}")
    @ValueSource(booleans = {false})
    void badDeclarationsAreOneClearLine(boolean rootless) throws Exception {
        try (Topology t = topology(rootless, dir)) {
            Internet net = t.internet(t.namespace("guest"));
            assertThatThrownBy(() -> net.host("10.0.2.7")).hasMessage("10.0.2.7 is in the guest's own subnet 10.0.2.0/24");
            assertThatThrownBy(() -> net.host("fd00::7")).hasMessage("fd00::7 is in the guest's own prefix fd00::/64");
            assertThatThrownBy(() -> net.host("fe80::1"))
                    .hasMessage("fe80::1 is not a global unicast address (2000::/3; use 2001:db8::/32)");
            net.host("2001:db8::1").serve(80, s -> { });
            assertThatThrownBy(() -> net.host("2001:db8::1").forward(80, new InetSocketAddress(
                    InetAddress.getLoopbackAddress(), 1))).hasMessage("TCP 2001:db8::1 port 80 is served already");
            net.host("2001:db8::1").forwardUdp(80, new InetSocketAddress(InetAddress.getLoopbackAddress(), 1));
            net.address("a.test", "192.0.2.1");
            assertThatThrownBy(() -> net.cname("a.test", "b.test")).hasMessage("a.test: a CNAME and other data (RFC 1034 3.6.2)");
            assertThatThrownBy(() -> net.host("192.0.2.1").forward(80, new InetSocketAddress("192.0.2.1", 80)))
                    .hasMessage("/192.0.2.1:80 is not on the loopback: a fake host reaches nothing else");
        }
    }
}
