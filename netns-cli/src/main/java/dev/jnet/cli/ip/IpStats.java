package dev.jnet.cli.ip;

import static dev.jnet.rtnl.Link.Counter.*;

import dev.jnet.cli.Json.Obj;
import dev.jnet.rtnl.Link;
import dev.jnet.rtnl.Link.Counter;
import dev.jnet.rtnl.Link.LinkStats;

/**
 * Link counters as {@code ip -s} prints them (iproute2's print_stats64): the columns sized to the
 * widest number, the error counters with {@code -s -s}; and as {@code ip -j -s} writes them.
 */
final class IpStats {
    private IpStats() {}

    /** The counter lines (no final newline), {@code level} the number of -s (1 or more). */
    static String text(LinkStats s, int level) {
        long cc = s.carrierChanges();
        int[] cols = {10, 7, 6, 7, 7, 7, 10, 9};
        size(cols, v(s, RX_BYTES), v(s, RX_PACKETS), v(s, RX_ERRORS), v(s, RX_DROPPED), v(s, RX_MISSED_ERRORS),
                v(s, MULTICAST), v(s, RX_COMPRESSED), 0);
        if (level > 1) {
            size(cols, 0, v(s, RX_LENGTH_ERRORS), v(s, RX_CRC_ERRORS), v(s, RX_FRAME_ERRORS), v(s, RX_FIFO_ERRORS),
                    v(s, RX_OVER_ERRORS), v(s, RX_NOHANDLER), v(s, RX_OTHERHOST_DROPPED));
        }
        size(cols, v(s, TX_BYTES), v(s, TX_PACKETS), v(s, TX_ERRORS), v(s, TX_DROPPED), v(s, TX_CARRIER_ERRORS),
                v(s, COLLISIONS), v(s, TX_COMPRESSED), 0);
        if (level > 1) {
            size(cols, 0, 0, v(s, TX_ABORTED_ERRORS), v(s, TX_FIFO_ERRORS), v(s, TX_WINDOW_ERRORS),
                    v(s, TX_HEARTBEAT_ERRORS), Math.max(cc, 0), 0);
        }
        StringBuilder b = new StringBuilder();
        header(b, "    RX: ", cols, "missed", "mcast", v(s, RX_COMPRESSED));
        b.append("    ");
        nums(b, cols, 0, s, RX_BYTES, RX_PACKETS, RX_ERRORS, RX_DROPPED, RX_MISSED_ERRORS, MULTICAST);
        if (v(s, RX_COMPRESSED) != 0) {
            num(b, cols[6], v(s, RX_COMPRESSED));
        }
        if (level > 1) {
            long nohandler = v(s, RX_NOHANDLER);
            long otherhost = v(s, RX_OTHERHOST_DROPPED);
            b.append('\n').append("    RX errors:").append(pad(cols[0] - 10, "")).append(' ')
                    .append(pad(cols[1], "length")).append(' ').append(pad(cols[2], "crc")).append(' ')
                    .append(pad(cols[3], "frame")).append(' ').append(pad(cols[4], "fifo")).append(' ')
                    .append(pad(cols[5], "overrun"))
                    .append(nohandler != 0 ? pad(cols[6] + 1, " nohandler") : "")
                    .append(otherhost != 0 ? pad(cols[7] + 1, " otherhost") : "").append('\n');
            b.append(pad(cols[0] + 5, ""));
            nums(b, cols, 1, s, RX_LENGTH_ERRORS, RX_CRC_ERRORS, RX_FRAME_ERRORS, RX_FIFO_ERRORS, RX_OVER_ERRORS);
            if (nohandler != 0) {
                num(b, cols[6], nohandler);
            }
            if (otherhost != 0) {
                num(b, cols[7], otherhost);
            }
        }
        b.append('\n');
        header(b, "    TX: ", cols, "carrier", "collsns", v(s, TX_COMPRESSED));
        b.append("    ");
        nums(b, cols, 0, s, TX_BYTES, TX_PACKETS, TX_ERRORS, TX_DROPPED, TX_CARRIER_ERRORS, COLLISIONS);
        if (v(s, TX_COMPRESSED) != 0) {
            num(b, cols[6], v(s, TX_COMPRESSED));
        }
        if (level > 1) {
            b.append('\n').append("    TX errors:").append(pad(cols[0] - 10, "")).append(' ')
                    .append(pad(cols[1], "aborted")).append(' ').append(pad(cols[2], "fifo")).append(' ')
                    .append(pad(cols[3], "window")).append(' ').append(pad(cols[4], "heartbt")).append(' ')
                    .append(pad(cols[5], cc >= 0 ? "transns" : "")).append('\n');
            b.append(pad(cols[0] + 5, ""));
            nums(b, cols, 1, s, TX_ABORTED_ERRORS, TX_FIFO_ERRORS, TX_WINDOW_ERRORS, TX_HEARTBEAT_ERRORS);
            if (cc >= 0) {
                num(b, cols[5], cc);
            }
        }
        return b.toString();
    }

    private static void header(StringBuilder b, String start, int[] cols, String fifth, String sixth, long compressed) {
        b.append(start).append(pad(cols[0] - 4, "bytes")).append(' ').append(pad(cols[1], "packets")).append(' ')
                .append(pad(cols[2], "errors")).append(' ').append(pad(cols[3], "dropped")).append(' ')
                .append(pad(cols[4], fifth)).append(' ').append(pad(cols[5], sixth)).append(' ')
                .append(pad(cols[6], compressed != 0 ? "compressed" : "")).append('\n');
    }

    private static void nums(StringBuilder b, int[] cols, int from, LinkStats s, Counter... counters) {
        for (int i = 0; i < counters.length; i++) {
            num(b, cols[from + i], v(s, counters[i]));
        }
    }

    private static long v(LinkStats s, Counter c) {
        return s.get(c);
    }

    /** C's {@code "%*s"}: right-aligned in {@code width} (a negative width left-aligns). */
    private static String pad(int width, String s) {
        int w = Math.abs(width);
        if (s.length() >= w) {
            return s;
        }
        String fill = " ".repeat(w - s.length());
        return width < 0 ? s + fill : fill + s;
    }

    private static void num(StringBuilder b, int width, long v) {
        b.append(pad(width, Long.toUnsignedString(v))).append(' ');
    }

    private static void size(int[] cols, long... values) {
        for (int i = 0; i < values.length; i++) {
            cols[i] = Math.max(cols[i], Long.toUnsignedString(values[i]).length());
        }
    }

    /** The {@code "stats64"} object of {@code ip -j -s}. */
    static Obj json(LinkStats s, int level) {
        Obj rx = new Obj();
        put(rx, s, "bytes", RX_BYTES, "packets", RX_PACKETS, "errors", RX_ERRORS, "dropped", RX_DROPPED,
                "over_errors", RX_OVER_ERRORS, "multicast", MULTICAST);
        putNonZero(rx, s, "compressed", RX_COMPRESSED);
        if (level > 1) {
            put(rx, s, "length_errors", RX_LENGTH_ERRORS, "crc_errors", RX_CRC_ERRORS, "frame_errors",
                    RX_FRAME_ERRORS, "fifo_errors", RX_FIFO_ERRORS, "missed_errors", RX_MISSED_ERRORS);
            putNonZero(rx, s, "nohandler", RX_NOHANDLER);
            putNonZero(rx, s, "otherhost", RX_OTHERHOST_DROPPED);
        }
        Obj tx = new Obj();
        put(tx, s, "bytes", TX_BYTES, "packets", TX_PACKETS, "errors", TX_ERRORS, "dropped", TX_DROPPED,
                "carrier_errors", TX_CARRIER_ERRORS, "collisions", COLLISIONS);
        putNonZero(tx, s, "compressed", TX_COMPRESSED);
        if (level > 1) {
            put(tx, s, "aborted_errors", TX_ABORTED_ERRORS, "fifo_errors", TX_FIFO_ERRORS, "window_errors",
                    TX_WINDOW_ERRORS, "heartbeat_errors", TX_HEARTBEAT_ERRORS);
            if (s.carrierChanges() >= 0) {
                tx.put("carrier_changes", s.carrierChanges());
            }
        }
        return new Obj().putRaw("rx", rx.toString()).putRaw("tx", tx.toString());
    }

    private static void put(Obj o, LinkStats s, Object... nameCounter) {
        for (int i = 0; i < nameCounter.length; i += 2) {
            o.putRaw((String) nameCounter[i], Long.toUnsignedString(s.get((Counter) nameCounter[i + 1])));
        }
    }

    private static void putNonZero(Obj o, LinkStats s, String name, Counter c) {
        if (s.get(c) != 0) {
            put(o, s, name, c);
        }
    }

    /** Whether {@code l} has counters to show. */
    static boolean has(Link l) {
        return l.stats() != null;
    }
}
