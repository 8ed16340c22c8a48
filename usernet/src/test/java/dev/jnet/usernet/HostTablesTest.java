package dev.jnet.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.usernet.icmp.IcmpEchoForwarder;
import dev.jnet.usernet.tcp.TcpLimits;
import dev.jnet.usernet.udp.UdpNat;
import java.util.List;
import org.junit.jupiter.api.Test;

class HostTablesTest {
    @Test
    void aLargeLimitKeepsTheDefaultTables() {
        HostTables t = HostTables.forFdLimit(1 << 20);
        assertThat(t.tcp()).isEqualTo(TcpLimits.defaults());
        assertThat(t.udp()).isEqualTo(UdpNat.Limits.DEFAULT);
        assertThat(t.icmpFlows()).isEqualTo(IcmpEchoForwarder.MAX_FLOWS);
    }

    @Test
    void aSmallLimitLeavesHeadroomInEveryTable() {
        HostTables t = HostTables.forFdLimit(1024);
        assertThat(t.tcp().maxConnections()).isEqualTo(1024 - HostTables.HEADROOM);
        assertThat(t.tcp().maxEmbryonic()).isEqualTo(TcpLimits.defaults().maxEmbryonic() > 768 ? 768
                : TcpLimits.defaults().maxEmbryonic());
        assertThat(t.tcp().maxTimeWait()).isEqualTo(768);
        assertThat(t.udp().flows()).isEqualTo(768);
        assertThat(t.udp().dnsFlows()).isEqualTo(UdpNat.Limits.DEFAULT.dnsFlows());
        assertThat(t.icmpFlows()).isEqualTo(IcmpEchoForwarder.MAX_FLOWS);
    }

    @Test
    void aTinyLimitStillGivesTheMinimum() {
        HostTables t = HostTables.forFdLimit(100);
        assertThat(t.tcp().maxConnections()).isEqualTo(HostTables.MIN);
        assertThat(t.udp().flows()).isEqualTo(HostTables.MIN);
        assertThat(t.udp().dnsFlows()).isEqualTo(HostTables.MIN);
        assertThat(t.icmpFlows()).isEqualTo(HostTables.MIN);
    }

    @Test
    void anIdIsMappedWhenARangeHoldsIt() {
        List<String> map = List.of("         0       1000          1", "         1     100000      65536");
        assertThat(SandboxIds.inMap(map, 65534)).isTrue();
        assertThat(SandboxIds.inMap(map, 0)).isTrue();
        assertThat(SandboxIds.inMap(map, 65537)).isFalse();
        assertThat(SandboxIds.inMap(List.of("0 1000 1"), 65534)).isFalse();
    }
}
