package dev.jnet.it.usernet;

import java.io.ByteArrayOutputStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The fake resolver's logic (RFC 1035 wire format), free of sockets so it can be unit tested:
 * an A (or AAAA, where one is known) query for a known name gets its address, any other type for a known name an empty
 * answer (NODATA), an unknown name NXDOMAIN. Garbage gets no answer at all.
 */
final class DnsAnswers {
    static final int TYPE_A = 1;
    static final int CLASS_IN = 1;
    static final int RCODE_NXDOMAIN = 3;
    static final int RCODE_FORMERR = 1;
    private static final int HEADER = 12;
    private static final int TTL = 60;

    static final int TYPE_AAAA = 28;

    private final Map<String, Inet4Address> names;
    private final Map<String, Inet6Address> names6;

    /** {@code names}: lower-case names without the trailing dot. */
    DnsAnswers(Map<String, Inet4Address> names) {
        this(names, Map.of());
    }

    /** With AAAA answers from {@code names6} (a name must also be in {@code names} to exist). */
    DnsAnswers(Map<String, Inet4Address> names, Map<String, Inet6Address> names6) {
        this.names = Map.copyOf(names);
        this.names6 = Map.copyOf(names6);
    }

    /** The response to the query {@code q}, or empty when it is not a query we can parse. */
    Optional<byte[]> answer(byte[] q) {
        return answer(q, q.length);
    }

    /** The response to the query in {@code q[0, length)}, or empty when it is not a query we can parse. */
    Optional<byte[]> answer(byte[] q, int length) {
        if (length < HEADER || (q[2] & 0x80) != 0) { // too short, or a response (QR set)
            return Optional.empty();
        }
        int opcode = (q[2] >> 3) & 0x0F;
        int qdcount = u16(q, 4);
        if (opcode != 0 || qdcount != 1) {
            return Optional.of(header(q, RCODE_FORMERR, 0, 0));
        }
        StringBuilder name = new StringBuilder();
        int p = HEADER;
        while (true) {
            if (p >= length) {
                return Optional.empty();
            }
            int len = q[p] & 0xFF;
            if (len == 0) {
                p++;
                break;
            }
            if (len > 63 || p + 1 + len > length) { // compression in a question is not used by resolvers
                return Optional.empty();
            }
            if (!name.isEmpty()) {
                name.append('.');
            }
            name.append(new String(q, p + 1, len, java.nio.charset.StandardCharsets.US_ASCII));
            p += 1 + len;
        }
        if (p + 4 > length) {
            return Optional.empty();
        }
        int qtype = u16(q, p);
        int qclass = u16(q, p + 2);
        int questionEnd = p + 4;
        Inet4Address addr = names.get(name.toString().toLowerCase(Locale.ROOT));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (addr == null) {
            out.writeBytes(header(q, RCODE_NXDOMAIN, 1, 0));
            out.write(q, HEADER, questionEnd - HEADER);
            return Optional.of(out.toByteArray());
        }
        Inet6Address addr6 = names6.get(name.toString().toLowerCase(Locale.ROOT));
        boolean a = qtype == TYPE_A && qclass == CLASS_IN;
        boolean aaaa = qtype == TYPE_AAAA && qclass == CLASS_IN && addr6 != null;
        out.writeBytes(header(q, 0, 1, a || aaaa ? 1 : 0));
        out.write(q, HEADER, questionEnd - HEADER);
        if (a || aaaa) {
            byte[] rdata = a ? addr.getAddress() : addr6.getAddress();
            out.write(0xC0); // name: pointer to the question's name
            out.write(HEADER);
            writeU16(out, qtype);
            writeU16(out, CLASS_IN);
            writeU16(out, TTL >>> 16);
            writeU16(out, TTL & 0xFFFF);
            writeU16(out, rdata.length);
            out.writeBytes(rdata);
        }
        return Optional.of(out.toByteArray());
    }

    /** A response header echoing the id and RD bit: QR, AA and RA set, no authority or additional records. */
    private static byte[] header(byte[] q, int rcode, int qdcount, int ancount) {
        byte[] h = new byte[HEADER];
        h[0] = q[0];
        h[1] = q[1];
        h[2] = (byte) (0x80 | 0x04 | (q[2] & 0x01));
        h[3] = (byte) (0x80 | rcode);
        h[5] = (byte) qdcount;
        h[7] = (byte) ancount;
        return h;
    }

    private static int u16(byte[] b, int off) {
        return ((b[off] & 0xFF) << 8) | (b[off + 1] & 0xFF);
    }

    private static void writeU16(ByteArrayOutputStream out, int v) {
        out.write(v >>> 8);
        out.write(v & 0xFF);
    }
}
