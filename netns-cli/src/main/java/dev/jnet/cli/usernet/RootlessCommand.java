package dev.jnet.cli.usernet;

import dev.jnet.cli.Failures;
import dev.jnet.usernet.Ipv6Config;
import dev.jnet.usernet.UsernetConfig;
import dev.jnet.usernet.forward.HostForward;
import dev.jnet.usernet.rootless.RootlessException;
import dev.jnet.usernet.rootless.RootlessSession;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code jnet rootless [OPTIONS] -- CMD [ARGS]}: what {@code rootlesskit --net=slirp4netns} and
 * {@code pasta -- CMD} do, in one command (run by usernet's {@link RootlessSession}). Its status is CMD's
 * (128+N when signal N ended it); 1 with one line on stderr for its own failures, as those two.
 */
@Command(name = "rootless", mixinStandardHelpOptions = true,
        description = {"Run CMD in a new user, network and mount namespace, online through jnet's user-mode stack "
                + "on tap0 (10.0.2.100/24, gateway 10.0.2.2, DNS 10.0.2.3).",
            "You are root inside; your subordinate ids (/etc/subuid, /etc/subgid) are mapped when you have some."},
        footer = {"", "Exit status: CMD's (128+N when signal N ended it); 1 when jnet rootless itself fails.",
            "SIGINT and SIGTERM are passed on to CMD."})
public final class RootlessCommand implements Callable<Integer> {
    /** Our own failures (set-up, mapping, the stack): status 1 with one line, as rootlesskit and pasta. */
    public static final int EXIT_FAILED = 1;
    static final int DEFAULT_MTU = 65520;

    @Spec CommandSpec spec;

    @Option(names = {"-p", "--publish"}, paramLabel = PublishSpec.FORMAT,
            description = "Forward a host port to the guest (repeatable). HOSTIP defaults to 0.0.0.0, the protocol to tcp.")
    List<String> publish;

    @Option(names = {"-m", "--mtu"}, paramLabel = "MTU", description = "MTU of tap0 (default: " + DEFAULT_MTU + ").")
    String mtu;

    @Option(names = "--cidr", paramLabel = "CIDR", description = "The guest's IPv4 network (default: 10.0.2.0/24).")
    String cidr;

    @Option(names = {"-6", "--ipv6"}, description = "Give the guest IPv6 (fd00::/64) too.")
    boolean ipv6;

    @Option(names = {"--disable-host-loopback", "--no-host-loopback"},
            description = "The gateway address does not reach the host's loopback.")
    boolean disableHostLoopback;

    @Mixin PcapOptions pcap;

    @Parameters(paramLabel = "CMD", arity = "0..*", description = "The command and its arguments.")
    List<String> command;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        UsernetConfig config;
        List<PublishSpec> forwards;
        try {
            config = config();
            forwards = PublishSpec.parseAll(publish);
            pcap.bound();
        } catch (SlirpArgs.Bad | PublishSpec.Invalid e) {
            return fail(err, e.getMessage());
        }
        if (command == null || command.isEmpty()) {
            return fail(err, "no command specified (usage: jnet rootless [OPTIONS] -- CMD [ARGS])");
        }
        try {
            RootlessSession session = new RootlessSession(config, hostForwards(forwards), command,
                    pcap.open(UsernetCommand.stack()));
            forwardStopSignals(session);
            return session.run(); // CMD's status, or SETUP_FAILED (our EXIT_FAILED) when the helper failed a step
        } catch (RootlessException e) {
            return fail(err, Failures.rootlessText(e, forwards));
        } catch (SlirpArgs.Bad e) {
            return fail(err, e.getMessage());
        } finally {
            pcap.close(err, "jnet rootless");
        }
    }

    /** The stack's forwards for {@code --publish}, in order; source preservation on: the guest sees the client's real address. */
    private static List<HostForward> hostForwards(List<PublishSpec> publish) {
        List<HostForward> out = new ArrayList<>(publish.size());
        for (PublishSpec p : publish) {
            out.add(new HostForward(p.protocol() == PublishSpec.Protocol.UDP ? HostForward.Proto.UDP
                    : HostForward.Proto.TCP, p.hostAddress(), p.hostPort(), null, p.guestPort(), true));
        }
        return out;
    }

    /** SIGINT and SIGTERM go on to CMD (a stopped child gets them once it goes on). */
    @SuppressWarnings("restriction")
    private static void forwardStopSignals(RootlessSession session) {
        for (String name : new String[] {"INT", "TERM"}) {
            sun.misc.Signal.handle(new sun.misc.Signal(name), s -> session.signal(s.getNumber()));
        }
    }

    private UsernetConfig config() {
        UsernetConfig config = UsernetConfig.defaults().withMtu(mtu == null ? DEFAULT_MTU : SlirpArgs.mtu(mtu));
        if (cidr != null) {
            int[] net = SlirpArgs.cidr(cidr);
            config = config.withNetwork(net[0], net[1]);
        }
        if (ipv6) {
            config = config.withIpv6(Ipv6Config.defaults());
        }
        return config.withHostLoopback(!disableHostLoopback);
    }

    private static int fail(PrintWriter err, String message) {
        err.println("jnet rootless: " + message);
        err.flush();
        return EXIT_FAILED;
    }
}
