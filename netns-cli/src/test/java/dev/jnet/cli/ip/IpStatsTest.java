package dev.jnet.cli.ip;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.rtnl.Link;
import org.junit.jupiter.api.Test;

/** ip -s text (columns sized to the widest number) and -j stats64, and ip -j -p layout. */
class IpStatsTest {
    private static Link.LinkStats stats(long... v) {
        return new Link.LinkStats(v, 3);
    }

    @Test
    void zeroCountersAsIpPrintsThem() {
        Link.LinkStats s = stats(new long[25]);
        assertThat(IpStats.text(s, 1)).isEqualTo(String.join("\n",
                "    RX:  bytes packets errors dropped  missed   mcast           ",
                "             0       0      0       0       0       0 ",
                "    TX:  bytes packets errors dropped carrier collsns           ",
                "             0       0      0       0       0       0 "));
    }

    @Test
    void columnsWidenForLargeNumbersAndErrorLinesWithTwoS() {
        long[] v = new long[25];
        v[Link.Counter.RX_BYTES.ordinal()] = 123456789012L;
        v[Link.Counter.RX_PACKETS.ordinal()] = 1234567890L;
        v[Link.Counter.TX_BYTES.ordinal()] = 42;
        v[Link.Counter.RX_NOHANDLER.ordinal()] = 7;
        Link.LinkStats s = stats(v);
        assertThat(IpStats.text(s, 2)).isEqualTo(String.join("\n",
                "    RX:    bytes    packets errors dropped  missed   mcast           ",
                "    123456789012 1234567890      0       0       0       0 ",
                "    RX errors:       length    crc   frame    fifo overrun  nohandler",
                "                          0      0       0       0       0          7 ",
                "    TX:    bytes    packets errors dropped carrier collsns           ",
                "              42          0      0       0       0       0 ",
                "    TX errors:      aborted   fifo  window heartbt transns",
                "                          0      0       0       0       3 "));
        assertThat(IpStats.json(s, 2).toString()).isEqualTo("{\"rx\":{\"bytes\":123456789012,\"packets\":1234567890,"
                + "\"errors\":0,\"dropped\":0,\"over_errors\":0,\"multicast\":0,\"length_errors\":0,\"crc_errors\":0,"
                + "\"frame_errors\":0,\"fifo_errors\":0,\"missed_errors\":0,\"nohandler\":7},\"tx\":{\"bytes\":42,"
                + "\"packets\":0,\"errors\":0,\"dropped\":0,\"carrier_errors\":0,\"collisions\":0,\"aborted_errors\":0,"
                + "\"fifo_errors\":0,\"window_errors\":0,\"heartbeat_errors\":0,\"carrier_changes\":3}}");
    }

    @Test
    void prettyJsonIsJsonWritersLayout() {
        assertThat(IpPretty.format("[{\"a\":1,\"f\":[\"X\",\"Y\"],\"o\":{\"b\":\"q\\\"\"},\"e\":[]}]"))
                .isEqualTo(String.join("\n",
                        "[ {",
                        "        \"a\": 1,",
                        "        \"f\": [ \"X\",\"Y\" ],",
                        "        \"o\": {",
                        "            \"b\": \"q\\\"\"",
                        "        },",
                        "        \"e\": [ ]",
                        "    } ]"));
        assertThat(IpPretty.format("[]")).isEqualTo("[ ]");
    }
}
