package dev.jnet.it.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.it.Proc;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 13, ask 7: pasta's {@code ADDR%IF/} prefix of {@code -t}/{@code -u} specs (pasta(1):
 * "Specific addresses can be bound as well, separated by /, and also ... limited to specific
 * interfaces, prefixed by %"). The host socket listens on that address only and, with an
 * interface, takes only what arrives through it; a bad prefix is pasta's one line and status 1.
 * The same steps run against the real pasta with {@code JNET_PASTA_BIN=/usr/bin/pasta}.
 */
@UsernetTest
class PastaPortSpecTest {
    private static final PastaBinary PASTA = PastaBinary.configured();
    private static final Duration START = Duration.ofSeconds(90);
    private static final Duration STEP = Duration.ofSeconds(30);
    private static final int GUEST_TCP = 8070;
    private static final int GUEST_UDP = 8071;
    private static final int LO_TCP = 18401;
    private static final int UPLINK_TCP = 18402;
    private static final int LO_UDP = 18403;

    /**
     * {@code -t 127.0.0.1%lo/P:80}, {@code -t 198.51.100.2%up0/P:80}, {@code -u 127.0.0.1%lo/P:53}:
     * the listeners show with their interface (ss prints ADDR%IF: the socket is bound to it); the
     * loopback ones echo from the host; the up0 one answers the fake internet (its packets come in
     * on up0).
     */
    @Test
    void anAddressAndInterfaceBindTheHostSocketToBoth(UsernetSandbox net) throws Exception {
        net.restartGuestOnly();
        GuestServers.install(net);
        List<String> servers = new ArrayList<>();
        String pid = Long.toString(net.guestPid());
        String loTcp = "127.0.0.1%lo/" + LO_TCP + ":" + GUEST_TCP;
        String upTcp = SandboxNetns.HOST_ADDRESS + "%up0/" + UPLINK_TCP + ":" + GUEST_TCP;
        String loUdp = "127.0.0.1%lo/" + LO_UDP + ":" + GUEST_UDP;
        List<String> argv = List.of("--config-net", "-a", "10.0.2.100", "-n", "24", "-g", "10.0.2.2", "-I", "tap0",
                "--ipv4-only", "-t", loTcp, "-t", upTcp, "-u", loUdp, pid);
        List<String> marker = List.of("-t", loTcp);
        try {
            servers.add(GuestServers.start(net, "tcp-echo", GUEST_TCP, "-ltn"));
            servers.add(GuestServers.start(net, "udp-echo", GUEST_UDP, "-lun"));
            Proc.Result run = net.hostAsUser(START, PASTA.with(argv));
            assertThat(run.exit()).as(PASTA.description() + ": " + run.describe()).isZero();

            Proc.Result tcp = net.host(STEP, List.of("ss", "-Hltn", "sport = :" + LO_TCP + " or sport = :" + UPLINK_TCP));
            assertThat(tcp.stdout()).as(tcp.describe()).contains("127.0.0.1%lo:" + LO_TCP)
                    .contains(SandboxNetns.HOST_ADDRESS + "%up0:" + UPLINK_TCP);
            Proc.Result udp = net.host(STEP, List.of("ss", "-Hlun", "sport = :" + LO_UDP));
            assertThat(udp.stdout()).as(udp.describe()).contains("127.0.0.1%lo:" + LO_UDP);

            assertThat(echo(net.host(STEP, echoScript("127.0.0.1", LO_TCP)))).isEqualTo("through-lo");
            Proc.Result u = net.host(STEP, List.of("/usr/bin/python3", net.workDir().resolve("guest-client.py").toString(),
                    "udp-echo", "127.0.0.1", Integer.toString(LO_UDP), "3"));
            // the installed pasta (0.0~git20230309) sends nothing back here (echoed=0): its UDP
            // splice of host-loopback clients; the rest of the test still runs against it
            if (PASTA.isJnet() || !GuestOutput.fields(u).getOrDefault("echoed", "").equals("0")) {
                assertThat(GuestOutput.fields(u)).as(u.describe()).containsEntry("echoed", "3");
            }

            Proc.Result fromInternet = Proc.start(cmd(List.of("ip", "netns", "exec", net.internetNetns()),
                    echoScript(SandboxNetns.HOST_ADDRESS, UPLINK_TCP)), net.workDir()).await(STEP);
            assertThat(echo(fromInternet)).isEqualTo("through-lo");
        } finally {
            for (String s : servers) {
                net.guest("kill", s);
            }
            net.stopUsernet();
            PastaProcesses.kill(marker);
        }
    }

    /** An interface that does not exist: pasta binds none of the spec's ports and says so. */
    @Test
    void anUnknownInterfaceFailsTheSpec(UsernetSandbox net) {
        net.restartGuestOnly();
        String spec = "127.0.0.1%nosuchif0/18405";
        String pid = Long.toString(net.guestPid());
        List<String> marker = List.of("-t", spec, pid);
        try {
            Proc.Result run = net.hostAsUser(START, PASTA.with(List.of("--config-net", "-a", "10.0.2.100", "-n", "24",
                    "-g", "10.0.2.2", "-I", "tap0", "--ipv4-only", "-t", spec, pid)));
            assertThat(run.exit()).as(PASTA.description() + ": " + run.describe()).isEqualTo(1);
            assertThat(run.stderr().lines()).as(run.describe())
                    .anyMatch(l -> l.startsWith("Failed to bind any port for '-t " + spec + "', exiting"));
        } finally {
            net.stopUsernet();
            PastaProcesses.kill(marker);
        }
    }

    /** Bad prefixes (no address and no interface, no ports, an interface name too long): pasta's line. */
    @Test
    void badAddressAndInterfacePrefixesArePastasLine(UsernetSandbox net) {
        for (String spec : List.of("-t /18408", "-t %/18409", "-u 127.0.0.1%lo/", "-t x%lo/18410",
                "-u 127.0.0.1%abcdefghijklmnopq/18411")) {
            String[] w = spec.split(" ");
            // the real pasta (2023) leaves a forked process behind on a bad spec: found by this run's token
            List<String> marker = List.of(w[0], w[1], "true", "pasta-spec-bad-" + System.nanoTime());
            try {
                Proc.Result run = net.hostAsUser(START, PASTA.with(List.of(w[0], w[1], "--", "true", marker.get(3))));
                assertThat(run.exit()).as(PASTA.description() + ": " + run.describe()).isEqualTo(1);
                List<String> lines = run.stderr().lines().filter(l -> !l.startsWith("Failed to send")).toList();
                assertThat(lines).as(run.describe()).containsExactly("Invalid port specifier " + w[1]);
            } finally {
                PastaProcesses.kill(marker);
            }
        }
    }

    /** bash: connect to ADDR:PORT, send a line, print the echoed line (after the guest's "peer" line). */
    private static List<String> echoScript(String addr, int port) {
        return List.of("bash", "-c", "exec 3<>/dev/tcp/" + addr + "/" + port
                + " && echo through-lo >&3 && timeout 10 head -n2 <&3 | tail -n1");
    }

    private static String echo(Proc.Result r) {
        assertThat(r.exit()).as(r.describe()).isZero();
        return r.stdout().strip();
    }

    private static List<String> cmd(List<String> prefix, List<String> rest) {
        List<String> out = new ArrayList<>(prefix);
        out.addAll(rest);
        return out;
    }

}
