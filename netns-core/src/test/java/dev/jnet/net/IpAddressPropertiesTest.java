package dev.jnet.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Random addresses: every text form RFC 4291 allows for one parses to it and its canonical form
 * round-trips; mutations of valid texts are refused with the text named.
 */
class IpAddressPropertiesTest {
    // ------------------------------------------------------------------ generators

    @Provide
    Arbitrary<byte[]> ipv4() {
        return Arbitraries.bytes().array(byte[].class).ofSize(4);
    }

    /** 16 bytes, groups often zero so that "::" runs of every length and position come up. */
    @Provide
    Arbitrary<byte[]> ipv6() {
        Arbitrary<Integer> group = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(5, Arbitraries.just(0)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(0xffff)),
                net.jqwik.api.Tuple.of(4, Arbitraries.integers().between(0, 0xffff)));
        return group.list().ofSize(8).map(gs -> {
            byte[] b = new byte[16];
            for (int i = 0; i < 8; i++) {
                b[2 * i] = (byte) (gs.get(i) >>> 8);
                b[2 * i + 1] = (byte) (int) gs.get(i);
            }
            return b;
        });
    }

    @Provide
    Arbitrary<byte[]> anyAddress() {
        return Arbitraries.oneOf(ipv4(), ipv6());
    }

    // ------------------------------------------------------------------ accepted

    @Property
    void canonicalFormsRoundTrip(@ForAll("anyAddress") byte[] b) throws Exception {
        IpAddress a = IpAddress.of(b);
        String text = a.toString();
        assertThat(IpAddress.parse(text)).isEqualTo(a);
        assertThat(IpAddress.parse(text).bytes()).containsExactly(b);
        assertThat(IpAddress.of(a.toInetAddress())).isEqualTo(a);
        // the JDK reads the same bytes from the text (a literal: no lookup happens)
        byte[] jdk = InetAddress.getByName(text).getAddress();
        // (the JDK turns IPv4-mapped IPv6 addresses into IPv4 ones)
        assertThat(jdk).containsExactly(jdk.length == b.length ? b : java.util.Arrays.copyOfRange(b, 12, 16));
    }

    @Property
    void ipv4CanonicalFormIsPlainDottedDecimal(@ForAll("ipv4") byte[] b) {
        String text = IpAddress.of(b).toString();
        assertThat(text).matches("(0|[1-9][0-9]{0,2})(\\.(0|[1-9][0-9]{0,2})){3}");
        assertThat(text).isEqualTo((b[0] & 0xff) + "." + (b[1] & 0xff) + "." + (b[2] & 0xff) + "." + (b[3] & 0xff));
    }

    @Property
    void ipv6CanonicalFormFollowsRfc5952(@ForAll("ipv6") byte[] b) {
        String text = IpAddress.of(b).toString();
        assertThat(text).doesNotContainPattern("[A-F]").doesNotContainPattern("(^|:)0[0-9a-f]").doesNotContain(":::");
        assertThat(text.split("::", -1).length).isLessThanOrEqualTo(2);
        if (!text.contains("::")) {
            assertThat(text).doesNotContainPattern("(^|:)0:0(:|$)"); // a run of two zero groups is compressed
        }
    }

    /** Every RFC 4291 form: full, leading zeros, upper case, "::" over any zero run, a dotted tail. */
    @Property
    void everyTextFormOfAnIpv6AddressIsAccepted(@ForAll("ipv6") byte[] b, @ForAll @IntRange(min = 0, max = 7) int runStart,
            @ForAll boolean padded, @ForAll boolean upper, @ForAll boolean dottedTail) {
        IpAddress a = IpAddress.of(b);
        List<String> groups = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            int g = (b[2 * i] & 0xff) << 8 | (b[2 * i + 1] & 0xff);
            groups.add(padded ? String.format("%04x", g) : Integer.toHexString(g));
        }
        String tail = null;
        if (dottedTail) {
            tail = (b[12] & 0xff) + "." + (b[13] & 0xff) + "." + (b[14] & 0xff) + "." + (b[15] & 0xff);
            groups = groups.subList(0, 6);
        }
        int runEnd = runStart;
        while (runEnd < groups.size() && Integer.parseInt(groups.get(runEnd), 16) == 0) {
            runEnd++;
        }
        String text;
        if (runEnd > runStart) { // compress groups [runStart, runEnd)
            text = String.join(":", groups.subList(0, runStart)) + "::" + String.join(":", groups.subList(runEnd, groups.size()));
            if (tail != null) {
                text += (runEnd == groups.size() ? "" : ":") + tail;
            }
        } else {
            text = String.join(":", groups) + (tail != null ? ":" + tail : "");
        }
        if (upper) {
            text = text.toUpperCase(Locale.ROOT);
        }
        assertThat(IpAddress.parse(text)).as(text).isEqualTo(a);
    }

    @Property
    void prefixesRoundTrip(@ForAll("anyAddress") byte[] b, @ForAll @IntRange(min = 0, max = 128) int length) {
        IpAddress a = IpAddress.of(b);
        Assume.that(length <= a.bitLength());
        IpPrefix p = new IpPrefix(a, length);
        assertThat(IpPrefix.parse(p.toString())).isEqualTo(p);
        assertThat(p.network().isNetwork()).isTrue();
        assertThat(p.contains(a)).isTrue();
        assertThat(p.contains(p.lastAddress())).isTrue();
        assertThat(p.network().overlaps(p)).isTrue();
    }

    // ------------------------------------------------------------------ refused

    /** A valid dotted quad with one thing wrong. */
    @Provide
    Arbitrary<String> brokenIpv4() {
        Arbitrary<List<Integer>> quads = Arbitraries.integers().between(0, 255).list().ofSize(4);
        Arbitrary<Integer> which = Arbitraries.integers().between(0, 3);
        Arbitrary<Integer> kind = Arbitraries.integers().between(0, 8);
        Arbitrary<Character> garbage = Arbitraries.of('x', ' ', '\t', '-', '+', '/', '%', 'a', 'e', '\u0660', '\0');
        return Combinators.combine(quads, which, kind, garbage).as((q, w, k, g) -> {
            List<String> p = new ArrayList<>();
            q.forEach(v -> p.add(Integer.toString(v)));
            switch (k) {
                case 0 -> p.set(w, "0" + p.get(w)); // leading zero
                case 1 -> p.set(w, Integer.toString(256 + q.get(w) * 37)); // above 255
                case 2 -> p.remove((int) w); // a missing part
                case 3 -> p.add(w, Integer.toString(q.get(w))); // an extra part
                case 4 -> p.set(w, ""); // an empty part
                case 5 -> p.set(w, p.get(w) + g); // garbage after
                case 6 -> p.set(w, g + p.get(w)); // garbage before
                case 7 -> p.set(w, "0x" + Integer.toHexString(q.get(w))); // hex
                default -> p.set(3, p.get(3) + "."); // a trailing dot
            }
            return String.join(".", p);
        });
    }

    @Property
    void brokenDottedQuadsAreRefusedNamingTheText(@ForAll("brokenIpv4") String text) {
        assertThatThrownBy(() -> IpAddress.parse(text)).as(text).isInstanceOfSatisfying(InvalidAddressException.class,
                e -> {
                    assertThat(e.input()).isEqualTo(text);
                    assertThat(e.getMessage()).startsWith("invalid IP address \"" + text + "\": ");
                });
        assertThatThrownBy(() -> IpPrefix.parse(text + "/24")).isInstanceOf(InvalidAddressException.class)
                .hasMessageContaining("\"" + text + "/24\"");
    }

    /** A canonical IPv6 text with one thing wrong. */
    @Provide
    Arbitrary<String> brokenIpv6() {
        Arbitrary<Integer> kind = Arbitraries.integers().between(0, 6);
        Arbitrary<Character> garbage = Arbitraries.of('g', 'x', ' ', '%', '/', '-', '\u00e9');
        return Combinators.combine(ipv6(), kind, garbage).as((b, k, g) -> {
            String t = IpAddress.of(b).toString();
            return switch (k) {
                case 0 -> t + g;
                case 1 -> g + t;
                case 2 -> t.contains("::") ? t + "::" : t + ":1"; // two "::", or nine groups
                case 3 -> t.contains("::") ? t.replace("::", ":::") : t.substring(0, t.lastIndexOf(':')); // ":::" or seven
                case 4 -> "12345:" + t; // a group too long (or too many groups)
                case 5 -> t.endsWith("::") ? ":" + t + "1" : t.startsWith("::") ? t.substring(1) + ":" : t + ":"; // lone colon
                default -> "1.2.3.4:" + t; // a dotted quad not at the end
            };
        });
    }

    @Property
    void brokenIpv6TextsAreRefusedNamingTheText(@ForAll("brokenIpv6") String text) {
        assertThatThrownBy(() -> IpAddress.parseIpv6(text)).as(text).isInstanceOfSatisfying(InvalidAddressException.class,
                e -> assertThat(e.getMessage()).startsWith("invalid IPv6 address \"" + text + "\": "));
    }

    @Property
    void prefixLengthsOutOfRangeAreRefused(@ForAll("anyAddress") byte[] b, @ForAll @IntRange(min = 1, max = 500) int over) {
        IpAddress a = IpAddress.of(b);
        String text = a + "/" + (a.bitLength() + over);
        assertThatThrownBy(() -> IpPrefix.parse(text)).isInstanceOf(InvalidAddressException.class)
                .hasMessageStartingWith("invalid prefix \"" + text + "\": prefix length");
    }
}
