package dev.jnet.wiring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jnet.net.IpPrefix;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The connector's state files, without a kernel: typed addresses in, the same out. */
class ConnectionRecordsTest {
    @TempDir Path dir;

    @Test
    void aConnectionRoundTripsAndTheLockIsTheFile() {
        ConnectionRecords r = new ConnectionRecords(dir);
        assertThat(r.lock("ns1")).isTrue();
        assertThat(r.lock("ns1")).isFalse();
        assertThat(r.read("ns1")).isNull(); // locked, not yet connected
        Connection c = new Connection("ns1", "jn-1", "eth0", IpPrefix.parse("10.200.7.1/24"), IpPrefix.parse("10.200.7.2/24"),
                "br-t", IpPrefix.parse("fd00:200:7::1/64"), IpPrefix.parse("fd00:200:7::2/64"));
        r.write(c);
        assertThat(r.read("ns1")).isEqualTo(c);
        assertThat(r.all()).containsExactly(c);
        assertThat(c.hostIp()).hasToString("10.200.7.1");
        r.delete("ns1");
        assertThat(r.exists("ns1")).isFalse();
        assertThat(r.all()).isEmpty();
    }

    @Test
    void aBridgeIsRecordedOnceByTheFirstConnectThatChangedIt() {
        ConnectionRecords r = new ConnectionRecords(dir);
        r.lock("ns1");
        r.writeBridge("br-t", new ConnectionRecords.BridgeRecord(false, IpPrefix.parse("10.200.7.1/24"), null));
        r.writeBridge("br-t", new ConnectionRecords.BridgeRecord(true, null, null));
        assertThat(r.readBridge("br-t")).isEqualTo(new ConnectionRecords.BridgeRecord(false, IpPrefix.parse("10.200.7.1/24"), null));
        r.deleteBridge("br-t");
        assertThat(r.readBridge("br-t")).isNull();
    }

    @Test
    void aStateFileWithABadAddressIsReportedNotMisread() throws Exception {
        ConnectionRecords r = new ConnectionRecords(dir);
        r.lock("ns1");
        Files.writeString(r.file("ns1"), "host_ifname=jn-1\nns_ifname=eth0\nhost_address=10.200.7/24\nns_address=10.200.7.2/24\n");
        assertThatThrownBy(() -> r.read("ns1")).isInstanceOf(WiringException.class)
                .hasMessageEndingWith("invalid prefix \"10.200.7/24\": 3 dot-separated parts, a dotted quad has 4");
    }
}
