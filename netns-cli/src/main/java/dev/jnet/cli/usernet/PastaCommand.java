package dev.jnet.cli.usernet;

import dev.jnet.cli.JnetCommand;
import dev.jnet.linux.SyscallException;
import dev.jnet.linux.Syscalls;
import dev.jnet.usernet.HostUplink;
import dev.jnet.usernet.HostUplink6;
import dev.jnet.usernet.Usernet;
import dev.jnet.usernet.UsernetConfig;
import dev.jnet.usernet.UsernetException;
import dev.jnet.usernet.forward.AutoForwards;
import dev.jnet.usernet.forward.EphemeralPorts;
import dev.jnet.usernet.forward.ForwardException;
import dev.jnet.usernet.forward.HostForward;
import dev.jnet.usernet.forward.NamespaceForwards;
import dev.jnet.usernet.forward.NamespaceSockets;
import dev.jnet.usernet.guest.GuestTarget;
import dev.jnet.usernet.rootless.RootlessException;
import dev.jnet.usernet.rootless.RootlessSession;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code jnet pasta [OPTIONS] [PID|-- CMD]} ({@code bin/pasta}): pasta's command line and
 * behaviour, served by jnet's user-mode stack, for podman and rootlesskit.
 * <ul>
 * <li>A target (PID, {@code --netns PATH|NAME}): attach to its network namespace, then, as
 * pasta does, go to the background once the namespace is online and return 0 ({@code -f}:
 * stay in the foreground); end when the process goes, when the {@code --netns} file is deleted
 * (unless {@code --no-netns-quit}), or on SIGTERM/SIGINT.</li>
 * <li>No target: CMD (default: $SHELL) in a new user and network namespace; CMD's status.</li>
 * </ul>
 * Every failure before readiness is one line on stderr and status 1, nothing left running.
 */
public final class PastaCommand {
    public static final int EXIT_FAILED = 1;
    /** Set in the environment of the background process this command starts ({@link PastaDaemon}). */
    static final String DAEMON_ENV = "JNET_PASTA_DAEMON";
    private static final long FORWARD_TIMEOUT_SECONDS = 10;
    private static final long WATCH_SECONDS = 1;

    private final PrintWriter out;
    private final PrintWriter err;
    private final CompletableFuture<Void> signalled = new CompletableFuture<>();

    private PastaCommand(PrintWriter out, PrintWriter err) {
        this.out = out;
        this.err = err;
    }

    /** Runs pasta's command line {@code args} (without "pasta") and returns the exit status. */
    public static int run(PrintWriter out, PrintWriter err, List<String> args) {
        return new PastaCommand(out, err).run(args);
    }

    private int run(List<String> args) {
        PastaArgs a;
        try {
            a = PastaArgs.parse(args, EphemeralPorts.range());
            if (a.help) {
                out.print(PastaHelp.text());
                out.flush();
                return 0;
            }
            if (a.version) {
                out.println("pasta (" + JnetCommand.version() + ")");
                out.flush();
                return 0;
            }
            Optional<GuestTarget> target = target(a);
            PastaConfig.checkSupported(a);
            Optional<HostUplink> uplink = HostUplink.lookup();
            Optional<HostUplink6> uplink6 = a.ipv4Only ? Optional.empty() : HostUplink6.lookup();
            UsernetConfig config = PastaConfig.of(a, uplink, uplink6);
            String ifname = PastaConfig.ifname(a, uplink, uplink6);
            if (target.isEmpty()) {
                return runCommand(a, config, ifname);
            }
            boolean daemon = System.getenv(DAEMON_ENV) != null;
            if (!a.foreground && !daemon) {
                return PastaDaemon.spawn(args, err); // the same command line, in the background
            }
            return serve(a, target.get(), config, ifname, daemon);
        } catch (PastaArgs.Bad | SlirpArgs.Bad | UsernetException | ForwardException | RootlessException e) {
            return fail(e.getMessage());
        } catch (IOException | SyscallException e) {
            return fail(String.valueOf(e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted");
        }
    }

    /**
     * The namespaces to attach to, or empty for "run a command". pasta's rules: a lone number
     * after the options is a PID; {@code --netns} takes a path, or a name under /run/netns;
     * without {@code --userns} a path is joined from our own user namespace.
     */
    private static Optional<GuestTarget> target(PastaArgs a) {
        boolean pid = a.rest.size() == 1 && a.rest.get(0).matches("[0-9]{1,10}");
        if (a.netns != null) {
            if (!a.rest.isEmpty()) {
                throw new PastaArgs.Bad("Both --netns and PID or command given");
            }
            Path ns = a.netns.contains("/") ? Path.of(a.netns) : Path.of("/run/netns", a.netns);
            if (!Files.exists(ns, LinkOption.NOFOLLOW_LINKS)) {
                throw new PastaArgs.Bad("Couldn't open network namespace " + ns + ": No such file or directory");
            }
            return Optional.of(GuestTarget.ofPath(ns, a.netnsOnly || a.userns == null ? null : Path.of(a.userns)));
        }
        if (pid) {
            long p = Long.parseLong(a.rest.get(0));
            if (p <= 0 || ProcessHandle.of(p).isEmpty()) {
                throw new PastaArgs.Bad("Couldn't open network namespace /proc/" + a.rest.get(0) + "/ns/net: No such process");
            }
            if (a.netnsOnly || a.userns != null) {
                return Optional.of(GuestTarget.ofPath(Path.of("/proc", Long.toString(p), "ns", "net"),
                        a.netnsOnly ? null : Path.of(a.userns)));
            }
            return Optional.of(GuestTarget.ofPid(p));
        }
        if (a.userns != null) {
            throw new PastaArgs.Bad("--userns requires --netns or PID");
        }
        return Optional.empty();
    }

    /** No target: CMD (or the user's shell) in a new user and network namespace, online through the stack. */
    private int runCommand(PastaArgs a, UsernetConfig config, String ifname) throws InterruptedException {
        List<String> command = new ArrayList<>(a.rest);
        if (command.isEmpty()) {
            String shell = System.getenv("SHELL");
            command.add(shell == null || shell.isEmpty() ? "/bin/sh" : shell);
        }
        List<HostForward> forwards = new ArrayList<>();
        PastaConfig.forwards(a, config).forEach(forwards::addAll);
        // pasta leaves /etc/resolv.conf alone: the command resolves as the host does
        PcapOptions pcap = pcap(a);
        try {
            RootlessSession session = new RootlessSession(config, forwards, command, pcap.open(UsernetCommand.stack()),
                    ifname, false).attach((target, usernet) -> attach(a, config, target, usernet));
            for (String name : new String[] {"INT", "TERM"}) {
                sun.misc.Signal.handle(new sun.misc.Signal(name), s -> session.signal(s.getNumber()));
            }
            return session.run();
        } finally {
            pcap.close(err, "pasta");
        }
    }

    /** {@code -p FILE}: the capture's options (bounded as jnet usernet's {@code --pcap}). */
    private static PcapOptions pcap(PastaArgs a) {
        PcapOptions pcap = new PcapOptions();
        pcap.file = a.pcap;
        return pcap;
    }

    /** Attached to {@code target}: serve until it goes, or a signal; status 0, or 1 when the link failed. */
    private int serve(PastaArgs a, GuestTarget target, UsernetConfig config, String ifname, boolean daemon)
            throws IOException {
        if (daemon) {
            Syscalls.setsid("pasta"); // as pasta's __daemon(): no controlling terminal, out of the caller's group
        }
        onStopSignals();
        PcapOptions pcap = pcap(a);
        Usernet usernet;
        try {
            usernet = Usernet.start(new Usernet.Options(target, ifname, a.configNet, config, -1,
                    pcap.open(UsernetCommand.stack())));
        } catch (RuntimeException e) {
            pcap.close(err, "pasta");
            throw e;
        }
        try {
            addForwards(a, config, usernet);
        } catch (RuntimeException e) {
            usernet.close();
            pcap.close(err, "pasta");
            throw e;
        }
        try (AutoCloseable attached = attach(a, config, target, usernet)) {
            if (a.pidFile != null) {
                Files.writeString(Path.of(a.pidFile), ProcessHandle.current().pid() + "\n");
            }
            if (daemon) {
                PastaDaemon.signalReady(err);
            }
            Path watched = a.netns != null && !a.noNetnsQuit && target instanceof GuestTarget.ByPath p ? p.netns() : null;
            Usernet.Exit exit = awaitEnd(usernet, watched);
            if (exit != null && (exit.reason() == Usernet.Reason.LINK_FAILED || exit.reason() == Usernet.Reason.LOOP_FAILED)) {
                return fail("the tap failed: " + exit.cause());
            }
            return 0;
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e); // attach's close throws nothing checked
        } finally {
            usernet.close();
            pcap.close(err, "pasta");
        }
    }

    /**
     * What pasta does in the namespace besides the stack, for a target or CMD's namespace: the
     * {@code -T} listeners on its loopback, host-loopback clients of {@code -t} forwards spliced
     * to its loopback, and {@code auto} forwarding (pasta's default); closed together.
     */
    private static AutoCloseable attach(PastaArgs a, UsernetConfig config, GuestTarget target, Usernet usernet) {
        NamespaceForwards ns = NamespaceForwards.open(target, usernet.eventLoop(), PastaConfig.nsForwards(a));
        NamespaceSockets sockets = null;
        AutoForwards auto = null;
        try {
            if (PastaConfig.mode(a, a.tcp) != PastaPorts.Mode.NONE) {
                sockets = NamespaceSockets.open(target, config.ipv6() != null);
                usernet.forwarding().spliceLoopback(sockets).get(FORWARD_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
            AutoForwards.Plan plan = PastaConfig.autoPlan(a, config);
            auto = plan.any() ? AutoForwards.start(target, usernet.forwarding(), ns, plan) : null;
        } catch (RuntimeException | ExecutionException | TimeoutException | InterruptedException e) {
            closeAll(auto, sockets, ns);
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw e instanceof RuntimeException r ? r : new PastaArgs.Bad("the stack did not answer: " + e);
        }
        AutoForwards autoForwards = auto;
        NamespaceSockets nsSockets = sockets;
        return () -> closeAll(autoForwards, nsSockets, ns);
    }

    private static void closeAll(AutoForwards auto, NamespaceSockets sockets, NamespaceForwards ns) {
        if (auto != null) {
            auto.close();
        }
        if (sockets != null) {
            sockets.close();
        }
        ns.close();
    }

    /**
     * Waits for the stack to stop (the target process gone, the tap failed), a stop signal, or
     * the namespace file {@code watched} to be deleted (how podman ends pasta); the exit, if any.
     */
    private Usernet.Exit awaitEnd(Usernet usernet, Path watched) {
        while (!signalled.isDone()) {
            try {
                return usernet.exited().get(WATCH_SECONDS, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                if (watched != null && !Files.exists(watched, LinkOption.NOFOLLOW_LINKS)) {
                    return null;
                }
            } catch (ExecutionException e) {
                return new Usernet.Exit(Usernet.Reason.LOOP_FAILED, e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return null;
    }

    /**
     * Binds every port of every {@code -t}/{@code -u} spec; as pasta, a spec fails the run only
     * when none of its ports could be bound.
     */
    private void addForwards(PastaArgs a, UsernetConfig config, Usernet usernet) {
        List<List<HostForward>> specs = PastaConfig.forwards(a, config);
        for (int i = 0; i < specs.size(); i++) {
            int bound = 0;
            ForwardException last = null;
            for (HostForward f : specs.get(i)) {
                try {
                    usernet.forwarding().add(f).get(FORWARD_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                    bound++;
                } catch (ExecutionException e) {
                    last = e.getCause() instanceof ForwardException fe ? fe : null;
                } catch (TimeoutException e) {
                    throw new PastaArgs.Bad("the stack did not answer while binding " + PastaConfig.specName(a, i));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new PastaArgs.Bad("interrupted");
                }
            }
            if (bound == 0 && !specs.get(i).isEmpty()) {
                throw new PastaArgs.Bad("Failed to bind any port for '" + PastaConfig.specName(a, i) + "', exiting"
                        + (last != null ? " (" + last.getMessage() + ")" : ""));
            }
        }
    }

    /** SIGTERM (how rootlesskit stops it) and SIGINT end the run normally: status 0. */
    @SuppressWarnings("restriction")
    private void onStopSignals() {
        sun.misc.SignalHandler stop = sig -> signalled.complete(null);
        sun.misc.Signal.handle(new sun.misc.Signal("TERM"), stop);
        sun.misc.Signal.handle(new sun.misc.Signal("INT"), stop);
    }

    private int fail(String message) {
        err.println(message);
        err.flush();
        return EXIT_FAILED;
    }
}
