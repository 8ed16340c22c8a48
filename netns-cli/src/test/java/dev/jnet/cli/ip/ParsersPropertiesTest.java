package dev.jnet.cli.ip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jnet.cli.AddressTexts;
import dev.jnet.net.IpAddress;
import dev.jnet.net.IpPrefix;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** ip's ADDR[/LEN] and ADDR arguments: every canonical text is taken as it is, every other refused naming it. */
class ParsersPropertiesTest {
    @Provide
    Arbitrary<IpPrefix> prefixes() {
        return AddressTexts.ipv4Prefixes();
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
    void canonicalPrefixesAndAddressesAreTakenAsTheyAre(@ForAll("prefixes") IpPrefix p) {
        Parsers.Prefix q = Parsers.prefix(p.toString(), 0);
        assertThat(IpAddress.of(q.address())).isEqualTo(p.address());
        assertThat(q.length()).isEqualTo(p.length());
        assertThat(q.family()).isEqualTo(4);
        assertThat(q.explicitLength()).isTrue();
        assertThat(Parsers.prefix(p.address().toString(), 4).length()).isEqualTo(32);
        assertThat(IpAddress.of(Parsers.address(p.address().toString(), 4))).isEqualTo(p.address());
    }

    @Property
    void everyOtherPrefixIsRefusedNamingIt(@ForAll("brokenPrefixes") String text) {
        assertThatThrownBy(() -> Parsers.prefix(text, 0)).isInstanceOf(IpError.class)
                .hasMessage("Error: any valid prefix is expected rather than \"" + text + "\".");
    }

    @Property
    void everyOtherAddressIsRefusedNamingIt(@ForAll("brokenAddresses") String text) {
        assertThatThrownBy(() -> Parsers.address(text, 4)).isInstanceOf(IpError.class)
                .hasMessageContaining("\"" + text + "\"");
        assertThatThrownBy(() -> Parsers.prefix(text, 0)).isInstanceOf(IpError.class)
                .hasMessageContaining("\"" + text + "\"");
    }
}
