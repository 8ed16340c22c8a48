package dev.jnet.it.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.it.Proc;
import java.util.ArrayList;
import java.util.List;

/**
 * The sandbox made to tell outbound addresses apart: the host namespace gets a second address
 * of each family on its uplink ({@link #OUTBOUND}, {@link #OUTBOUND6}), and the internet
 * namespace refuses to route anything back to the first ({@code ip rule ... prohibit}), so an
 * exchange works only if its host socket left from the second. {@link #close} undoes it.
 */
final class OutboundRig implements AutoCloseable {
    static final String OUTBOUND = "198.51.100.3";
    static final String OUTBOUND6 = "2001:db8:1::3";

    private final List<List<String>> undo = new ArrayList<>();

    OutboundRig(UsernetSandbox net) {
        String host = net.hostNetns();
        String inet = net.internetNetns();
        root(List.of("ip", "-n", host, "addr", "add", OUTBOUND + "/24", "dev", "up0"),
                List.of("ip", "-n", host, "addr", "del", OUTBOUND + "/24", "dev", "up0"));
        // deprecated (preferred_lft 0): never the kernel's own choice of source, only when bound to
        root(List.of("ip", "-n", host, "-6", "addr", "add", OUTBOUND6 + "/64", "dev", "up0", "nodad",
                "preferred_lft", "0"),
                List.of("ip", "-n", host, "-6", "addr", "del", OUTBOUND6 + "/64", "dev", "up0"));
        root(List.of("ip", "-n", inet, "rule", "add", "to", SandboxNetns.HOST_ADDRESS, "prohibit"),
                List.of("ip", "-n", inet, "rule", "del", "to", SandboxNetns.HOST_ADDRESS, "prohibit"));
        root(List.of("ip", "-n", inet, "-6", "rule", "add", "to", SandboxNetns.HOST_ADDRESS6, "prohibit"),
                List.of("ip", "-n", inet, "-6", "rule", "del", "to", SandboxNetns.HOST_ADDRESS6, "prohibit"));
    }

    private void root(List<String> command, List<String> inverse) {
        Proc.Result r = Proc.run(Proc.DEFAULT_TIMEOUT, command);
        if (r.exit() != 0) {
            close();
        }
        assertThat(r.exit()).as(r.describe()).isZero();
        undo.add(inverse);
    }

    @Override
    public void close() {
        for (int i = undo.size() - 1; i >= 0; i--) {
            Proc.run(Proc.DEFAULT_TIMEOUT, undo.get(i));
        }
        undo.clear();
    }
}
