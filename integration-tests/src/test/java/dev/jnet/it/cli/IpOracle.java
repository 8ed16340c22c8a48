package dev.jnet.it.cli;

import dev.jnet.it.JsonReader;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.it.Proc;
import java.util.ArrayList;
import java.util.List;

/** iproute2's {@code ip}, as the reference the CLI is compared with (never used by jnet itself). */
final class IpOracle {
    private IpOracle() {}

    static Proc.Result ip(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("ip");
        cmd.addAll(List.of(args));
        return Proc.run(Proc.DEFAULT_TIMEOUT, cmd);
    }

    static Proc.Result ipOk(String... args) {
        Proc.Result r = ip(args);
        assertThat(r.exit()).as(r.describe()).isZero();
        return r;
    }

    /** Link names of namespace {@code ns}, as ip sees them. */
    static List<String> linkNames(String ns) {
        return JsonReader.objects(ipOk("-n", ns, "-j", "link", "show").stdout()).stream()
                .map(m -> (String) m.get("ifname")).sorted().toList();
    }

    /** Whether this kernel can make links of {@code kind} (this CI kernel has no dummy or 8021q). */
    static boolean supports(String ns, String kind) {
        String probe = "jitprobe0";
        Proc.Result r = ip("-n", ns, "link", "add", probe, "type", kind);
        if (r.exit() == 0) {
            ip("-n", ns, "link", "del", probe);
            return true;
        }
        return false;
    }
}
