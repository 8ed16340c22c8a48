package dev.jnet.cli.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.usernet.ProcessStats;
import dev.jnet.usernet.StackStats;
import org.junit.jupiter.api.Test;

class StatsLineTest {
    @Test
    void everyComponentInSnakeCaseOnOneJsonLine() {
        String line = StatsLine.of(new StackStats(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
                21, 22, 23, 24, 25, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39), new ProcessStats(26, 27, 28));
        assertThat(line).startsWith("jnet usernet: stats {\"frames_received\":1,")
                .contains("\"ipv4_bad_checksum\":6", "\"tcp_connections\":10", "\"udp_flows\":11", "\"dns_flows\":12",
                        "\"icmp_flows\":13", "\"handler_errors\":16,", "\"udp6_flows\":20", "\"dns6_flows\":21",
                        "\"icmp6_flows\":22", "\"router_advertisements\":24", "\"tcp_send_buffered\":25",
                        "\"reassembled\":29", "\"reassembly_timeouts\":35", "\"fragments_sent\":37", "\"super_packets_received\":38", "\"super_packets_sent\":39",
                        "\"direct_memory\":26", "\"fds_open\":27", "\"fd_limit\":28}")
                .doesNotContain("\n");
    }
}
