package dev.jnet.junit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's internet snippet, compiled and run: {@link #resolvesAndDownloads} holds its lines
 * in order (with assertions between them), and {@link #theReadmeSnippetIsThisCode} checks that.
 */
@ExtendWith(JnetTopologyExtension.class)
class InternetReadmeTest {
    static final byte[] HELLO = "HTTP/1.0 200 OK\r\n\r\nhello".getBytes(StandardCharsets.US_ASCII);

    @Test
    void resolvesAndDownloads(Topology t, @TempDir Path www) throws Exception {
        Files.writeString(www.resolve("index.html"), "served by app");
        Netns app = t.namespace("app");
        Internet net = t.internet(app);                        // tap0: 10.0.2.100/24 and fd00::100/64, DNS 10.0.2.3
        net.host("192.0.2.10").serve(80, s -> {               // a fake host: a handler in this JVM (TCP)
            s.getInputStream().read(new byte[4096]);
            s.getOutputStream().write(HELLO);
        });
        DatagramSocket udp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        InetSocketAddress resolver = (InetSocketAddress) udp.getLocalSocketAddress();
        net.host("2001:db8::10").forwardUdp(53, resolver);    // IPv6 too; UDP to a socket of the test
        net.address("api.example.test", "192.0.2.10")         // zones: A/AAAA, CNAME; other names NXDOMAIN
                .cname("www.example.test", "api.example.test");
        Process dig = app.start(new ProcessBuilder(), "dig", "+short", "@10.0.2.3", "www.example.test");
        assertThat(new String(dig.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                .isEqualTo("api.example.test.\n192.0.2.10\n");
        app.start("dig", "+time=1", "+tries=1", "@2001:db8::10", "query.example.test");
        try (udp) {
            udp.setSoTimeout(10_000);
            DatagramPacket query = new DatagramPacket(new byte[512], 512);
            udp.receive(query);
            assertThat(new String(query.getData(), 0, query.getLength(), StandardCharsets.US_ASCII)).contains("example");
        }
        Process curl = app.start(new ProcessBuilder(), "curl", "-s", "http://192.0.2.10/");
        assertThat(new String(curl.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("hello");
        app.start("busybox", "httpd", "-f", "-p", "8080", "-h", www.toString());
        int port = net.publish(8080);                         // 127.0.0.1:port -> app's port 8080
        assertThat(InternetTest.get(port, "/index.html")).endsWith("served by app");
    }

    @Test
    void theReadmeSnippetIsThisCode() throws Exception {
        List<String> readme = Files.readAllLines(Path.of("../README.md"));
        int start = readme.indexOf("<!-- mirrored by junit/src/test/java/dev/jnet/junit/InternetReadmeTest.java -->");
        assertThat(start).as("the README's marker").isNotNegative();
        List<String> snippet = readme.subList(start + 2, readme.subList(start + 2, readme.size()).indexOf("```") + start + 2)
                .stream().map(String::strip).filter(l -> !l.isEmpty()).toList();
        assertThat(snippet).hasSizeGreaterThan(10);
        List<String> source = Files.readAllLines(Path.of("src/test/java/dev/jnet/junit/InternetReadmeTest.java"))
                .stream().map(String::strip).toList();
        int at = 0;
        for (String line : snippet) {
            int found = source.subList(at, source.size()).indexOf(line);
            assertThat(found).as("README line not in the test (in order): %s", line).isNotNegative();
            at += found + 1;
        }
    }
}
