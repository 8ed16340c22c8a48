package dev.jnet.cli.usernet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jnet.cli.AddressTexts;
import dev.jnet.net.IpAddress;
import dev.jnet.net.IpPrefix;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The addresses of {@code jnet usernet --cidr} and {@code jnet rootless --publish}: every
 * canonical text is taken as the value it denotes, every other refused with a message naming it.
 */
class AddressInputsPropertiesTest {
    @Provide
    Arbitrary<IpPrefix> prefixes() {
        return AddressTexts.ipv4Prefixes();
    }

    @Provide
    Arbitrary<IpAddress> addresses() {
        return AddressTexts.ipv4();
    }

    @Provide
    Arbitrary<String> brokenPrefixes() {
        return AddressTexts.brokenIpv4Prefixes();
    }

    @Provide
    Arbitrary<String> brokenAddresses() {
        return AddressTexts.brokenIpv4();
    }

    @Property
    void everyCanonicalNetworkOfAUsableLengthIsACidr(@ForAll("prefixes") IpPrefix p) {
        Assume.that(p.length() >= 1 && p.length() <= 25);
        IpPrefix net = p.network();
        assertThat(SlirpArgs.cidr(net.toString())).containsExactly(net.address().toIpv4Int(), net.length());
    }

    /** In slirp4netns's words: the whole text, or its address part, named; a length above 25 as it says it. */
    @Property
    void everyOtherCidrIsRefusedNamingIt(@ForAll("brokenPrefixes") String text) {
        String addr = text.substring(0, text.indexOf('/'));
        String length = text.substring(text.indexOf('/') + 1);
        assertThatThrownBy(() -> SlirpArgs.cidr(text)).isInstanceOf(SlirpArgs.Bad.class).satisfies(e -> assertThat(
                e.getMessage()).isIn("invalid CIDR: " + text, "invalid network address: " + addr,
                        length.matches("[1-9][0-9]") ? "prefix length needs to be 1-25" : "invalid CIDR: " + text));
    }

    @Property
    void everyCanonicalAddressIsAPublishHost(@ForAll("addresses") IpAddress a) {
        PublishSpec s = PublishSpec.parse(a + ":8080:80/udp");
        assertThat(IpAddress.of(s.hostAddress())).isEqualTo(a);
        assertThat(s).hasToString(a + ":8080:80/udp");
    }

    @Property
    void everyOtherPublishHostIsRefusedNamingIt(@ForAll("brokenAddresses") String text) {
        assertThatThrownBy(() -> PublishSpec.parse(text + ":8080:80")).isInstanceOf(PublishSpec.Invalid.class)
                .hasMessageContaining("\"" + text + "\"");
    }
}
