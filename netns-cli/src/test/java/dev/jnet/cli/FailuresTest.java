package dev.jnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Library failures as ip words them. */
class FailuresTest {
    @Test
    void kernelErrorsAreWordedAsIp() {
        var ack = new dev.jnet.netlink.NetlinkException(34, "RTM_NEWLINK", "mtu greater than device maximum");
        assertThat(Failures.ipReport(ack)).isEqualTo(new Failures.Report("Error: mtu greater than device maximum.", 2));
        var plain = new dev.jnet.netlink.NetlinkException(17, "RTM_NEWLINK", null);
        assertThat(Failures.ipReport(plain)).isEqualTo(new Failures.Report("RTNETLINK answers: File exists", 2));
        assertThat(Failures.ipReport(dev.jnet.rtnl.RtnlException.noDevice("x")))
                .isEqualTo(new Failures.Report("Cannot find device \"x\"", 1));
    }

    @Test
    void rootlessForwardFailuresNameTheirPublishArgument() {
        var forward = new dev.jnet.usernet.rootless.RootlessException(
                dev.jnet.usernet.rootless.RootlessException.Kind.FORWARD, "Address already in use", 1, null);
        assertThat(Failures.rootlessText(forward, java.util.List.of("8080:80", "127.0.0.1:53:53/udp")))
                .isEqualTo("--publish 127.0.0.1:53:53/udp: Address already in use");
        var setup = new dev.jnet.usernet.rootless.RootlessException(
                dev.jnet.usernet.rootless.RootlessException.Kind.SETUP, "fork: EAGAIN (Resource temporarily unavailable)",
                null);
        assertThat(Failures.rootlessText(setup, java.util.List.of())).isEqualTo(setup.getMessage());
    }
}
