package dev.jnet.rtnl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Read-only requests need no privilege: the handle on the test's own namespace. */
class RtnlHandleUnprivilegedTest {
    @Test
    void loopbackIsListedAndFoundByNameAndIndex() {
        try (RtnlHandle h = RtnlHandle.open()) {
            List<Link> links = h.links();
            assertThat(links).extracting(Link::ifname).contains("lo");
            Link lo = h.link("lo");
            assertThat(lo.linkTypeName()).isEqualTo("loopback");
            assertThat(lo.flagNames()).startsWith("LOOPBACK");
            assertThat(h.link(lo.ifindex()).ifname()).isEqualTo("lo");
            assertThatThrownBy(() -> h.link("no-such-link0")).isInstanceOf(RtnlException.class)
                    .hasMessage("Cannot find device \"no-such-link0\"");
            // many requests on one socket: no per-request buffers to leak or grow
            for (int i = 0; i < 200; i++) {
                assertThat(h.link("lo").ifindex()).isEqualTo(lo.ifindex());
            }
            h.addresses(0, "lo");
            h.routes(0, 0);
        }
    }
}
