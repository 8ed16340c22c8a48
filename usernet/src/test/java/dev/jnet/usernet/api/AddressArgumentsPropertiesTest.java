package dev.jnet.usernet.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jnet.net.IpAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The API socket's {@code host_addr}/{@code guest_addr} (the reply keeps slirp4netns's words, {@code bad
 * arguments.host_addr}; the reason, naming the text, is the parse error): every canonical address is taken as it
 * is; a canonical text with one character inserted, replaced or deleted is refused naming it,
 * unless it is still a canonical dotted quad (told by a regular expression, not by the parser).
 */
class AddressArgumentsPropertiesTest {
    private static final String OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
    private static final Pattern CANONICAL = Pattern.compile(OCTET + "(\\." + OCTET + "){3}");

    @Provide
    Arbitrary<IpAddress> addresses() {
        return Arbitraries.integers().map(IpAddress::ipv4);
    }

    @Provide
    Arbitrary<String> mutated() {
        Arbitrary<Character> c = Arbitraries.of('0', '1', '9', '.', 'x', ' ', '%', '/', ':', '-');
        return Combinators.combine(addresses(), Arbitraries.integers().between(0, 15), Arbitraries.integers().between(0, 2), c)
                .as((a, at, how, ch) -> {
                    StringBuilder t = new StringBuilder(a.toString());
                    int i = Math.min(at, t.length() - (how == 0 ? 0 : 1));
                    switch (how) {
                        case 0 -> t.insert(i, ch);
                        case 1 -> t.setCharAt(i, ch);
                        default -> t.deleteCharAt(i);
                    }
                    return t.toString();
                });
    }

    @Property
    void canonicalAddressesAreTakenAsTheyAre(@ForAll("addresses") IpAddress a) throws Exception {
        assertThat(IpAddress.of(ApiServer.address(a.toString()))).isEqualTo(a);
        assertThat(ApiServer.text(a.toInetAddress())).isEqualTo(a.toString());
    }

    @Property
    void everyOtherTextIsRefusedNamingIt(@ForAll("mutated") String text) {
        Assume.that(!CANONICAL.matcher(text).matches() && !text.isEmpty() && text.indexOf(':') < 0);
        assertThatThrownBy(() -> ApiServer.address(text)).isInstanceOf(UnknownHostException.class)
                .hasMessageContaining("\"" + text + "\"");
    }
}
