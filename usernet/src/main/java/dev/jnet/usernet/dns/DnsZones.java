package dev.jnet.usernet.dns;

import dev.jnet.net.IpAddress;
import dev.jnet.usernet.wire.DnsName;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Records of one's own (A, AAAA, CNAME), answered in RFC 1035 wire format, as gvproxy's DNS
 * zones answer: a query for a name of the table gets its records of the asked type (following
 * CNAMEs within the table), a known name without such records an empty answer (NODATA), any
 * other name NXDOMAIN — never a forward elsewhere. Answers are authoritative (AA). A test's
 * fake resolver serves its names with it. Thread-safe; at most {@link #MAX_RECORDS} records.
 */
public final class DnsZones {
    public static final int TYPE_A = 1;
    public static final int TYPE_CNAME = 5;
    public static final int TYPE_AAAA = 28;
    public static final int CLASS_IN = 1;
    public static final int RCODE_FORMERR = 1;
    public static final int RCODE_NXDOMAIN = 3;
    public static final int RCODE_NOTIMP = 4;
    /** The table's bound. */
    public static final int MAX_RECORDS = 4096;
    /** How many CNAMEs an answer follows at most (a loop ends there). */
    static final int MAX_CHAIN = 8;
    private static final int HEADER = 12;

    /** One record: {@code data} is the address bytes (A, AAAA) or the target name (CNAME). */
    private record Rr(int type, byte[] data, String target) {}

    private final Map<String, List<Rr>> names = new ConcurrentHashMap<>();
    private final int ttl;
    private int count;

    /** Records answered with time to live {@code ttlSeconds}. */
    public DnsZones(int ttlSeconds) {
        if (ttlSeconds < 0) {
            throw new IllegalArgumentException("negative TTL " + ttlSeconds);
        }
        this.ttl = ttlSeconds;
    }

    /** Records with a TTL of 60 s. */
    public DnsZones() {
        this(60);
    }

    /** An A record ({@code address} IPv4) or an AAAA record ({@code address} IPv6) for {@code name}. */
    public DnsZones address(String name, IpAddress address) {
        return add(name, new Rr(address.isIpv4() ? TYPE_A : TYPE_AAAA, address.bytes(), null));
    }

    /** A CNAME record: {@code name} is an alias of {@code target}. A name with a CNAME has no other records. */
    public DnsZones cname(String name, String target) {
        String t = DnsName.normalize(target);
        return add(name, new Rr(TYPE_CNAME, DnsName.encode(t), t));
    }

    private synchronized DnsZones add(String name, Rr rr) {
        String n = DnsName.normalize(name);
        if (count >= MAX_RECORDS) {
            throw new IllegalStateException("DNS zones full: " + MAX_RECORDS + " records");
        }
        List<Rr> old = names.getOrDefault(n, List.of());
        boolean aliased = old.stream().anyMatch(r -> r.type() == TYPE_CNAME);
        if (rr.type() == TYPE_CNAME ? !old.isEmpty() : aliased) {
            throw new IllegalArgumentException(n + ": a CNAME and other data (RFC 1034 3.6.2)");
        }
        List<Rr> next = new ArrayList<>(old);
        next.add(rr);
        names.put(n, List.copyOf(next));
        count++;
        return this;
    }

    /** Whether {@code name} has a record. */
    public boolean contains(String name) {
        return names.containsKey(DnsName.normalize(name));
    }

    /**
     * The response to the query in {@code q[0, length)}, or empty when it is not a query (too
     * short, a response, a question cut off): such datagrams get no answer.
     */
    public Optional<byte[]> answer(byte[] q, int length) {
        if (length < HEADER || (q[2] & 0x80) != 0) {
            return Optional.empty();
        }
        int opcode = (q[2] >> 3) & 0x0F;
        if (opcode != 0) {
            return Optional.of(response(q, HEADER, RCODE_NOTIMP, List.of()));
        }
        if (u16(q, 4) != 1) {
            return Optional.of(response(q, HEADER, RCODE_FORMERR, List.of()));
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
            if (len > 63 || p + 1 + len > length) {
                return Optional.of(response(q, HEADER, RCODE_FORMERR, List.of()));
            }
            if (name.length() > 0) {
                name.append('.');
            }
            name.append(new String(q, p + 1, len, StandardCharsets.US_ASCII));
            p += 1 + len;
        }
        if (p + 4 > length) {
            return Optional.empty();
        }
        int qtype = u16(q, p);
        int qclass = u16(q, p + 2);
        int questionEnd = p + 4;
        String n = DnsName.normalize(name.toString());
        if (!names.containsKey(n)) {
            return Optional.of(response(q, questionEnd, RCODE_NXDOMAIN, List.of()));
        }
        List<byte[]> answers = new ArrayList<>();
        if (qclass == CLASS_IN) {
            collect(n, qtype, answers);
        }
        return Optional.of(response(q, questionEnd, 0, answers));
    }

    /** The records of {@code name} of type {@code qtype}, through its CNAMEs (each as an answer too). */
    private void collect(String name, int qtype, List<byte[]> answers) {
        String n = name;
        for (int hops = 0; hops <= MAX_CHAIN; hops++) {
            List<Rr> rrs = names.getOrDefault(n, List.of());
            Rr alias = rrs.stream().filter(r -> r.type() == TYPE_CNAME).findFirst().orElse(null);
            if (alias != null) {
                answers.add(record(n, alias));
                if (qtype == TYPE_CNAME) {
                    return;
                }
                n = alias.target();
                continue;
            }
            for (Rr r : rrs) {
                if (r.type() == qtype) {
                    answers.add(record(n, r));
                }
            }
            return;
        }
    }

    private byte[] record(String owner, Rr r) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(DnsName.encode(owner));
        put16(b, r.type());
        put16(b, CLASS_IN);
        put16(b, ttl >>> 16);
        put16(b, ttl & 0xFFFF);
        put16(b, r.data().length);
        b.writeBytes(r.data());
        return b.toByteArray();
    }

    /** Header (id and RD from the query; QR, AA, RA set), the question as asked, the answers. */
    private static byte[] response(byte[] q, int questionEnd, int rcode, List<byte[]> answers) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(q[0]);
        b.write(q[1]);
        b.write(0x84 | (q[2] & 0x01)); // QR, AA, RD as asked
        b.write(0x80 | rcode);         // RA
        boolean question = questionEnd > HEADER;
        put16(b, question ? 1 : 0);
        put16(b, answers.size());
        put16(b, 0);
        put16(b, 0);
        if (question) {
            b.write(q, HEADER, questionEnd - HEADER);
        }
        answers.forEach(b::writeBytes);
        return b.toByteArray();
    }


    private static int u16(byte[] b, int i) {
        return ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
    }

    private static void put16(ByteArrayOutputStream b, int v) {
        b.write(v >>> 8);
        b.write(v);
    }
}
