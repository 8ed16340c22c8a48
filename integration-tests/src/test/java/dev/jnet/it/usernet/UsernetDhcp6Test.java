package dev.jnet.it.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.it.Proc;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Issue 13, ask 1 (stateless DHCPv6, RFC 8415 18.2.6 / RFC 3646): with {@code -6} a guest that
 * runs ISC dhclient in stateless mode ({@code dhclient -6 -S}: one Information-Request to
 * ff02::1:2) gets the gateway's DNS server fd00::3 in the Reply. The same steps run against
 * slirp4netns: libslirp answers too, but without the Server Identifier option dhclient insists on.
 */
@UsernetTest
class UsernetDhcp6Test {
    private static final Duration DHCP_TIMEOUT = Duration.ofSeconds(60);
    /**
     * dhclient-script's stand-in: what the Reply gave, once (dhclient 4.4 reports a stateless
     * Reply as RENEW6, a stateful one as BOUND6 with the leased address).
     */
    private static final String SCRIPT = """
            #!/bin/sh
            if [ -n "$new_dhcp6_name_servers" ] || [ -n "$new_ip6_address" ]; then
                echo "dns=$new_dhcp6_name_servers addr=$new_ip6_address/$new_ip6_prefixlen" > "$(dirname "$0")/dhcp6.out"
            fi
            exit 0
            """;

    @Test
    void statelessDhclientGetsTheDnsServerFromTheGatewaysInformationReply(UsernetSandbox net) throws Exception {
        UsernetIpv6Test.startIpv6(net, List.of()); // waits for SLAAC: the link-local address is no longer tentative
        Proc.Result dhcp = dhclient6(net, true);
        Assumptions.assumeFalse(!net.runsJnet() && dhcp.stdout().contains("Response without a server identifier"),
                "libslirp's DHCPv6 Reply carries no Server Identifier (RFC 8415 16.10 requires one): dhclient "
                        + "rejects it (\"Response without a server identifier received.\")");
        assertThat(dhcp.stdout().lines().findFirst().orElse("").strip()).as(dhcp.describe() + net.usernetLog())
                .isEqualTo("dns=" + UsernetIpv6Test.DNS6 + " addr=/");
        assertThat(dhcp.stdout()).contains("dhclient: XMT: Info-Request on " + UsernetProcess.TAP)
                .contains("dhclient: RCV: Reply message on " + UsernetProcess.TAP);
    }

    /**
     * ISC dhclient on the guest's tap, stateless ({@code -S}: an Information-Request) or
     * stateful (Solicit, Request): its first stdout line is "dns=SERVERS addr=ADDRESS/PREFIX" as
     * the Reply gave them, then dhclient's log, each line behind "dhclient: ".
     */
    static Proc.Result dhclient6(UsernetSandbox net, boolean stateless) throws Exception {
        Path script = net.writeGuestFile("dhclient6.sh", SCRIPT.getBytes(StandardCharsets.US_ASCII));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        // the guest's user may not write the work directory: dhclient's files go to a directory of its own;
        // dhclient stays in the foreground (-d) after the Reply: the shell ends it once the script ran (bounded)
        // dhclient binds to the link-local address: no address of the tap may still be tentative (DAD),
        // else "Can't bind to dhcp address: Cannot assign requested address" (seen once in CI); bounded
        String run = "d=$(mktemp -d); cp " + script + " $d/s.sh; "
                + "for i in $(seq 50); do ip -6 addr show dev " + UsernetProcess.TAP
                + " | grep -q tentative || break; sleep 0.1; done; "
                + "for a in 1 2 3; do dhclient -6 " + (stateless ? "-S " : "") + "-d -v -sf $d/s.sh -lf $d/leases -pf $d/pid "
                + UsernetProcess.TAP + " >/dev/null 2>$d/log & c=$!; sleep 0.5; kill -0 $c 2>/dev/null && break; "
                + "grep -q \"Can't bind\" $d/log || break; sleep 0.5; done; "
                + "for i in $(seq 150); do [ -s $d/dhcp6.out ] && break; sleep 0.2; done; "
                + "kill $c; wait $c; cat $d/dhcp6.out; echo; sed 's/^/dhclient: /' $d/log; rm -rf $d";
        return net.guestShell(DHCP_TIMEOUT, run);
    }
}
