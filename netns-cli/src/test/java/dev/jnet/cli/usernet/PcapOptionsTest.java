package dev.jnet.cli.usernet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jnet.usernet.FlowInfo;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PcapOptionsTest {
    private static PcapOptions with(String file, String size) {
        PcapOptions p = new PcapOptions();
        p.file = file;
        p.size = size;
        return p;
    }

    @Test
    void sizesWithBinarySuffixes() {
        assertThat(with("f", null).bound()).isEqualTo(64L << 20);
        assertThat(with("f", "4096").bound()).isEqualTo(4096);
        assertThat(with("f", "64K").bound()).isEqualTo(65536);
        assertThat(with("f", "2m").bound()).isEqualTo(2L << 20);
        assertThat(with("f", "1G").bound()).isEqualTo(1L << 30);
    }

    @Test
    void badSizesAreOneLine() {
        assertThatThrownBy(() -> with("f", "12x").bound()).hasMessage("invalid --pcap-size \"12x\": expected BYTES[K|M|G]");
        assertThatThrownBy(() -> with("f", "100").bound()).hasMessage("invalid --pcap-size \"100\": at least 1024 bytes");
        assertThatThrownBy(() -> with(null, "1M").bound()).hasMessage("--pcap-size needs --pcap");
    }

    @Test
    void topShowsFlowsBusiestFirstWithRates() {
        Map<String, long[]> previous = new HashMap<>();
        FlowInfo slow = new FlowInfo("udp", "10.0.2.100", 5353, "10.0.2.3", 53, "open", 40, 80, 1, 1, 900);
        FlowInfo fast = new FlowInfo("tcp", "10.0.2.100", 40000, "203.0.113.10", 80, "ESTABLISHED", 100, 1 << 20, 5, 700, 2000);
        UsernetTop.render("t", List.of(slow, fast), Map.of(), previous, 0);
        FlowInfo fastLater = new FlowInfo("tcp", "10.0.2.100", 40000, "203.0.113.10", 80, "ESTABLISHED", 100, 3 << 20, 5, 2100, 3000);
        String out = UsernetTop.render("t", List.of(slow, fastLater), Map.of("fds_open", 9L), previous, 2.0);
        List<String> lines = out.lines().toList();
        assertThat(lines.get(1)).startsWith("flows 2 (tcp 1, udp 1)").contains("fds 9");
        assertThat(lines.get(2)).startsWith("PROTO");
        assertThat(lines.get(3)).startsWith("tcp   10.0.2.100:40000").contains("203.0.113.10:80", "ESTABLISHED", "3.0 MiB",
                "1.0 MiB/s", "3s");
        assertThat(lines.get(4)).startsWith("udp   10.0.2.100:5353").contains("0 B/s");
    }
}
