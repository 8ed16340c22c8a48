package dev.jnet.cli;

import dev.jnet.net.IpAddress;
import dev.jnet.net.IpPrefix;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * Address and prefix texts for the property tests of every command-line input that takes one:
 * canonical ones (which each must accept as the value they denote) and ones with exactly one
 * thing wrong (which each must refuse, naming the text): {@code 10.1}, leading zeros, parts
 * above 255, missing, extra or empty parts, stray characters, hex; lengths above 32, with a
 * leading zero, empty or not a number.
 */
public final class AddressTexts {
    private AddressTexts() {}

    public static Arbitrary<IpAddress> ipv4() {
        return Arbitraries.integers().map(IpAddress::ipv4);
    }

    public static Arbitrary<IpPrefix> ipv4Prefixes() {
        return Combinators.combine(ipv4(), Arbitraries.integers().between(0, 32)).as(IpPrefix::new);
    }

    /** A canonical dotted quad with one thing wrong; never a ':', '/' or '[' (they change how specs split). */
    public static Arbitrary<String> brokenIpv4() {
        Arbitrary<List<Integer>> quads = Arbitraries.integers().between(0, 255).list().ofSize(4);
        Arbitrary<Integer> which = Arbitraries.integers().between(0, 3);
        Arbitrary<Character> garbage = Arbitraries.of('x', ' ', '-', '+', '%', 'a', 'e', '\u0660');
        return Combinators.combine(quads, which, Arbitraries.integers().between(0, 8), garbage).as((q, w, k, g) -> {
            List<String> p = new ArrayList<>();
            q.forEach(v -> p.add(Integer.toString(v)));
            switch (k) {
                case 0 -> p.set(w, "0" + p.get(w)); // a leading zero
                case 1 -> p.set(w, Integer.toString(256 + q.get(w) * 37)); // above 255
                case 2 -> p.remove((int) w); // a missing part: 10.1.2
                case 3 -> p.add(w, Integer.toString(q.get(w))); // an extra part
                case 4 -> p.set(w, ""); // an empty part
                case 5 -> p.set(w, p.get(w) + g); // a stray character after
                case 6 -> p.set(w, g + p.get(w)); // or before
                case 7 -> p.set(w, "0x" + Integer.toHexString(q.get(w))); // hex
                default -> { // two parts, as 10.1 is read by inet_aton
                    p.subList(2, 4).clear();
                }
            }
            return String.join(".", p);
        });
    }

    /** A prefix text with one thing wrong: in its address, or in its length. */
    public static Arbitrary<String> brokenIpv4Prefixes() {
        Arbitrary<String> badLength = Combinators.combine(ipv4(), Arbitraries.of("33", "99", "4294967320", "024", "00",
                "", "x", "-1", "+8", " 8", "8 ", "1e1")).as((a, l) -> a + "/" + l);
        Arbitrary<String> badAddress = Combinators.combine(brokenIpv4(), Arbitraries.integers().between(0, 32))
                .as((a, l) -> a + "/" + l);
        return Arbitraries.oneOf(badLength, badAddress);
    }
}
