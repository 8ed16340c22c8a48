package dev.jnet.it.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.it.Proc;
import org.junit.jupiter.api.Test;

/**
 * The sandbox itself: nothing in it has a way out of the machine or to the real resolvers
 * (network safety rule), and usernet ends on SIGTERM as container runtimes stop it.
 */
@UsernetTest
class UsernetSandboxTest {
    @Test
    void theHostNamespaceRoutesOnlyIntoTheFakeInternet(UsernetSandbox net) {
        Proc.Result routes = net.host("ip", "-4", "route", "show", "table", "all", "type", "unicast");
        assertThat(routes.exit()).as(routes.describe()).isZero();
        assertThat(routes.stdoutLines()).as(routes.describe()).containsExactlyInAnyOrder(
                "default via " + SandboxNetns.INTERNET_ADDRESS + " dev up0 ",
                "198.51.100.0/24 dev up0 proto kernel scope link src " + SandboxNetns.HOST_ADDRESS + " ");
        // IPv6 likewise: the only way out is the fake internet's end of the veth
        Proc.Result v6 = net.host("ip", "-6", "route", "show", "default");
        assertThat(v6.stdoutLines()).as(v6.describe()).singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .startsWith("default via " + SandboxNetns.INTERNET_ADDRESS6 + " dev up0 ");
    }

    @Test
    void theInternetNamespaceHasNoRouteOnward(UsernetSandbox net) {
        Proc.Result routes = Proc.run("ip", "-n", net.internetNetns(), "-4", "route", "show", "table", "main");
        assertThat(routes.exit()).as(routes.describe()).isZero();
        assertThat(routes.stdout()).as(routes.describe()).doesNotContain("default")
                .contains("198.51.100.0/24 dev down0");
        Proc.Result forwarding = Proc.run("ip", "netns", "exec", net.internetNetns(), "sysctl", "-n", "net.ipv4.ip_forward");
        assertThat(forwarding.stdout().strip()).as(forwarding.describe()).isEqualTo("0");
        Proc.Result routes6 = Proc.run("ip", "-n", net.internetNetns(), "-6", "route", "show", "default");
        assertThat(routes6.stdout()).as(routes6.describe()).isBlank();
        Proc.Result forwarding6 = Proc.run("ip", "netns", "exec", net.internetNetns(), "sysctl", "-n",
                "net.ipv6.conf.all.forwarding");
        assertThat(forwarding6.stdout().strip()).as(forwarding6.describe()).isEqualTo("0");
    }

    @Test
    void programsInTheHostNamespaceSeeTheFakeResolver(UsernetSandbox net) {
        Proc.Result resolv = net.host("cat", "/etc/resolv.conf");
        assertThat(resolv.stdout()).as(resolv.describe()).isEqualTo("nameserver " + FakeInternet.DNS_ADDRESS + "\n");
        Proc.Result guest = net.guest("cat", "/etc/resolv.conf");
        assertThat(guest.stdout()).as(guest.describe()).isEqualTo("nameserver " + UsernetSandbox.DNS + "\n");
        Proc.Result usernetView = Proc.run("cat", "/proc/" + net.usernetPid() + "/root/etc/resolv.conf");
        assertThat(usernetView.stdout()).as("/etc/resolv.conf as usernet sees it: " + usernetView.describe())
                .isEqualTo("nameserver " + FakeInternet.DNS_ADDRESS + "\n");
    }

    @Test
    void usernetEndsOnSigterm(UsernetSandbox net) {
        long pid = net.usernetPid();
        int status = net.stopUsernet();
        assertThat(status).as("exit status after SIGTERM (-1: it had to be killed)\n" + net.usernetLog()).isNotEqualTo(-1);
        assertThat(ProcessHandle.of(pid)).isEmpty();
    }
}
