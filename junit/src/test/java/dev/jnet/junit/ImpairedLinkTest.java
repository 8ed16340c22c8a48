package dev.jnet.junit;

import static dev.jnet.junit.TopologyTest.run;
import static dev.jnet.junit.TopologyTest.topology;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.junit.ImpairedLink.Direction;
import dev.jnet.usernet.link.FaultInjector.Faults;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The user-space link between two namespaces: frames of any protocol, faults, partitions, bandwidth, captures. */
class ImpairedLinkTest {
    @TempDir
    Path dir;

    private static int status(Netns ns, String... cmd) throws Exception {
        Process p = ns.start(new ProcessBuilder().redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD), cmd);
        return p.waitFor();
    }

    @ParameterizedTest(name = "rootless={0}")
    @ValueSource(booleans = {false, true})
    void carriesIpv4AndIpv6AndObeysPartitionsPerDirection(boolean rootless) throws Exception {
        try (Topology t = topology(rootless, dir)) {
            Netns a = t.namespace("a");
            Netns b = t.namespace("b");
            ImpairedLink link = t.impairedLink(a, "eth0", b, "eth0");
            a.address("eth0", "10.2.0.1/24").address("eth0", "fd02::1/64");
            b.address("eth0", "10.2.0.2/24").address("eth0", "fd02::2/64");
            assertThat(run(a, "ping", "-c1", "-W5", "10.2.0.2")).contains("1 received");
            assertThat(run(a, "ping", "-6", "-c1", "-W5", "fd02::2")).contains("1 received");

            link.partition(true);
            assertThat(status(a, "ping", "-c1", "-W1", "10.2.0.2")).isEqualTo(1);
            long cut = link.counters(Direction.A_TO_B).shaper().partitionDropped();
            assertThat(cut).isPositive();
            link.partition(false);
            assertThat(run(a, "ping", "-c1", "-W5", "10.2.0.2")).contains("1 received");

            // only the replies are lost: the requests still arrive
            link.partition(Direction.B_TO_A, true);
            long before = link.counters(Direction.A_TO_B).shaper().passed();
            assertThat(status(a, "ping", "-c1", "-W1", "10.2.0.2")).isEqualTo(1);
            assertThat(link.counters(Direction.A_TO_B).shaper().passed()).isGreaterThan(before);
            assertThat(link.counters(Direction.A_TO_B).shaper().partitionDropped()).isEqualTo(cut);
            assertThat(link.counters(Direction.B_TO_A).shaper().partitionDropped()).isPositive();
        }
    }

    @ParameterizedTest(name = "rootless={0}")
    @ValueSource(booleans = {false, true})
    void lossDuplicationAndBandwidthAreCountedAndCaptured(boolean rootless) throws Exception {
        try (Topology t = topology(rootless, dir)) {
            Netns a = t.namespace("a");
            Netns b = t.namespace("b");
            ImpairedLink link = t.impairedLink(a, "eth0", b, "eth0", 1500, 42);
            a.address("eth0", "10.3.0.1/24");
            b.address("eth0", "10.3.0.2/24");
            assertThat(run(a, "ping", "-c1", "-W5", "10.3.0.2")).contains("1 received");

            link.loss(1.0);
            assertThat(status(a, "ping", "-c2", "-i0.2", "-W1", "10.3.0.2")).isEqualTo(1);
            assertThat(link.counters(Direction.A_TO_B).faults().dropped()).isGreaterThanOrEqualTo(2);
            link.loss(0);

            link.faults(Direction.A_TO_B, new Faults(0, 1, 0, 0, 0, 0));
            // every echo request arrives twice: ping sees the duplicate replies
            assertThat(run(a, "ping", "-c2", "-i0.3", "-W5", "10.3.0.2")).contains("DUP!");
            link.faults(Faults.NONE);

            // 64 kbit/s (about 5 full frames a second): a burst of 500 UDP datagrams waits in the shaper's
            // queue (the rest of the burst the kernel drops at the tap, whose queue is full meanwhile)
            link.bandwidth(Direction.A_TO_B, 64_000);
            run(a, "python3", "-c", "import socket\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
                    + "for i in range(500): s.sendto(b'x'*1400,('10.3.0.2',9))");
            ImpairedLink.Counters shaped = link.counters(Direction.A_TO_B);
            assertThat(shaped.shaper().queued()).as("%s", shaped).isGreaterThan(50);
            link.bandwidth(0); // unlimited again: the queue goes at once
            assertThat(link.counters(Direction.A_TO_B).shaper().queued()).isZero();
            assertThat(link.counters(Direction.A_TO_B).shaper().passed())
                    .isGreaterThanOrEqualTo(shaped.shaper().passed() + shaped.shaper().queued());
        }
        // the captures are complete pcap files: header, then records of the frames (ARP, ICMP, UDP)
        Path capA = dir.resolve("a-eth0--b-eth0.a.pcap");
        byte[] pcap = Files.readAllBytes(capA);
        assertThat(pcap.length).isGreaterThan(24 + 10 * 16);
        assertThat(new String(pcap, 0, 4, StandardCharsets.ISO_8859_1)).isEqualTo("\u00d4\u00c3\u00b2\u00a1");
        assertThat(Files.size(dir.resolve("a-eth0--b-eth0.b.pcap"))).isGreaterThan(24);
    }
}
