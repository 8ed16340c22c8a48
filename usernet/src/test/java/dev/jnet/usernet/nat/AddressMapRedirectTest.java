package dev.jnet.usernet.nat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.usernet.UsernetConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** A redirect makes a closed world: chosen destinations go where it says, all others are unreachable. */
class AddressMapRedirectTest {
    private static final int WEB = 0xC000_020A;      // 192.0.2.10
    private static final int OTHER = 0x0808_0808;   // 8.8.8.8: never reached
    private static final int GATEWAY = 0x0A00_0202;  // 10.0.2.2
    private static final int DNS = 0x0A00_0203;      // 10.0.2.3
    private static final InetSocketAddress SERVER = new InetSocketAddress(InetAddress.getLoopbackAddress(), 40123);

    private static final HostRedirect ONLY_WEB_80 = new HostRedirect() {
        @Override
        public boolean reaches(int proto, int dst, int port) {
            return dst == WEB && (proto == TCP && port == 80 || proto == ECHO && port == 0);
        }

        @Override
        public InetSocketAddress target(int proto, int dst, int port) {
            return SERVER;
        }
    };

    private static AddressMap map(boolean hostLoopback) {
        return new AddressMap(UsernetConfig.defaults().withHostLoopback(hostLoopback).withDns(true), ONLY_WEB_80);
    }

    @Test
    void aRedirectedDestinationConnectsWhereTheRedirectSays() {
        assertThat(map(false).classify(HostRedirect.TCP, WEB, 80)).isEqualTo(AddressMap.Kind.HOST);
        assertThat(map(false).hostSocketAddress(HostRedirect.TCP, WEB, 80)).isEqualTo(SERVER);
    }

    @Test
    void everythingElseIsUnreachableInsteadOfLeavingTheMachine() {
        assertThat(map(false).classify(HostRedirect.TCP, WEB, 443)).isEqualTo(AddressMap.Kind.UNREACHABLE);
        assertThat(map(false).classify(HostRedirect.UDP, WEB, 80)).as("a TCP port captures no UDP")
                .isEqualTo(AddressMap.Kind.UNREACHABLE);
        assertThat(map(false).classify(HostRedirect.TCP, OTHER, 80)).isEqualTo(AddressMap.Kind.UNREACHABLE);
        assertThat(map(false).classify(HostRedirect.ECHO, OTHER, 0)).isEqualTo(AddressMap.Kind.UNREACHABLE);
        assertThat(map(false).classify6(HostRedirect.TCP, 0x2001_0db8_0000_0000L, 1, 80)).isEqualTo(AddressMap.Kind.UNREACHABLE);
    }

    @Test
    void pingToARedirectedHostIsAnsweredByTheLoopback() {
        assertThat(map(false).classify(HostRedirect.ECHO, WEB, 0)).isEqualTo(AddressMap.Kind.HOST);
        assertThat(map(false).hostAddress(WEB)).isEqualTo(0x7F00_0001);
    }

    @Test
    void gatewayAndDnsKeepTheirMeaning() {
        assertThat(map(false).classify(HostRedirect.TCP, DNS, 53)).isEqualTo(AddressMap.Kind.DNS);
        assertThat(map(false).classify(HostRedirect.TCP, GATEWAY, 80)).isEqualTo(AddressMap.Kind.UNREACHABLE);
        assertThat(map(true).classify(HostRedirect.TCP, GATEWAY, 8080)).isEqualTo(AddressMap.Kind.HOST);
        assertThat(map(true).hostSocketAddress(HostRedirect.TCP, GATEWAY, 8080))
                .isEqualTo(new InetSocketAddress(InetAddress.getLoopbackAddress(), 8080));
    }

    @Test
    void withoutARedirectDestinationsAreThemselves() {
        AddressMap plain = new AddressMap(UsernetConfig.defaults());
        assertThat(plain.classify(HostRedirect.TCP, OTHER, 80)).isEqualTo(AddressMap.Kind.HOST);
        assertThat(plain.hostSocketAddress(HostRedirect.TCP, OTHER, 80).getAddress().getHostAddress()).isEqualTo("8.8.8.8");
    }
}
