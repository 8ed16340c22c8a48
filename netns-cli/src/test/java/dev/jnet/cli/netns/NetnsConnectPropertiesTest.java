package dev.jnet.cli.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jnet.cli.AddressTexts;
import dev.jnet.cli.Failures;
import dev.jnet.net.IpPrefix;
import dev.jnet.wiring.ConnectOptions;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** {@code netns connect --addr/--peer-addr}: canonical prefixes taken as they are, every other refused naming it. */
class NetnsConnectPropertiesTest {
    @Provide
    Arbitrary<IpPrefix> prefixes() {
        return AddressTexts.ipv4Prefixes();
    }

    @Provide
    Arbitrary<String> brokenPrefixes() {
        return AddressTexts.brokenIpv4Prefixes();
    }

    @Property
    void canonicalPrefixesAreTakenAsTheyAre(@ForAll("prefixes") IpPrefix host, @ForAll("prefixes") IpPrefix ns) {
        ConnectOptions o = NetnsConnect.options(null, null, host.toString(), ns.toString(), null, null);
        assertThat(o.hostAddress()).isEqualTo(host);
        assertThat(o.nsAddress()).isEqualTo(ns);
    }

    @Property
    void everyOtherFormIsRefusedNamingIt(@ForAll("brokenPrefixes") String text, @ForAll("prefixes") IpPrefix ok) {
        assertThatThrownBy(() -> NetnsConnect.options(null, null, text, ok.toString(), null, null))
                .isInstanceOf(Failures.UsageException.class).hasMessageStartingWith("Invalid --addr \"" + text + "\": ");
        assertThatThrownBy(() -> NetnsConnect.options(null, null, ok.toString(), text, null, null))
                .isInstanceOf(Failures.UsageException.class).hasMessageStartingWith("Invalid --peer-addr \"" + text + "\": ");
    }
}
