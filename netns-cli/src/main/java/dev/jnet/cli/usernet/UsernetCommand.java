package dev.jnet.cli.usernet;

import dev.jnet.cli.JnetCommand;
import dev.jnet.usernet.Ipv6Config;
import dev.jnet.usernet.SandboxRestart;
import dev.jnet.usernet.StackFactory;
import dev.jnet.usernet.Usernet;
import dev.jnet.usernet.UsernetConfig;
import dev.jnet.usernet.UsernetException;
import dev.jnet.usernet.UsernetObserver;
import dev.jnet.usernet.api.ApiServer;
import dev.jnet.usernet.forward.ForwardException;
import dev.jnet.usernet.link.FaultInjector;
import dev.jnet.usernet.guest.GuestTarget;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code jnet usernet [OPTION]... PID|PATH [TAPNAME]}: slirp4netns's command line and meanings,
 * served by jnet's user-mode stack. Exits 0 on SIGTERM/SIGINT, when the exit fd closes and when
 * the target process is gone; 1 with one line on stderr for anything wrong, leaving nothing behind.
 */
@Command(name = "usernet", description = "User-mode networking for unprivileged network namespaces (as slirp4netns).")
public final class UsernetCommand implements Callable<Integer> {
    /** slirp4netns exits 1 (EXIT_FAILURE) for every failure, usage errors included. */
    public static final int EXIT_FAILED = 1;
    /** Names a {@link StackFactory} class to serve the link instead of the built-in stack (tests, embedding). */
    static final String STACK_PROPERTY = "jnet.usernet.stack";
    /** RFC 8200: every IPv6 link carries 1280-byte packets (the guest's kernel enforces it too). */
    static final int IPV6_MIN_MTU = 1280;

    @Spec CommandSpec spec;

    @Option(names = {"-c", "--configure"}) boolean configure;
    @Option(names = {"-e", "--exit-fd"}, paramLabel = "FD") String exitFd;
    @Option(names = {"-r", "--ready-fd"}, paramLabel = "FD") String readyFd;
    @Option(names = {"-m", "--mtu"}, paramLabel = "MTU") String mtu;
    @Option(names = "--cidr", paramLabel = "CIDR") String cidr;
    @Option(names = {"--disable-host-loopback", "--no-host-loopback"}) boolean disableHostLoopback;
    @Option(names = "--netns-type", paramLabel = "TYPE") String netnsType;
    @Option(names = "--userns-path", paramLabel = "PATH") String usernsPath;
    @Option(names = {"--enable-sandbox", "--create-sandbox"}) boolean enableSandbox;
    @Option(names = "--enable-seccomp") boolean enableSeccomp;
    @Option(names = "--outbound-addr", paramLabel = "IPv4") String outboundAddr;
    @Option(names = "--outbound-addr6", paramLabel = "IPv6") String outboundAddr6;
    @Option(names = "--disable-dns") boolean disableDns;
    @Option(names = "--macaddress", paramLabel = "MAC") String macAddress;
    @Option(names = "--target-type", paramLabel = "TYPE") String targetType;
    @Option(names = "--resolv-conf", paramLabel = "PATH") String resolvConf;
    @Option(names = {"-6", "--enable-ipv6"}) boolean enableIpv6;
    @Option(names = "--cidr6", paramLabel = "PREFIX/64") String cidr6;
    @Option(names = {"-a", "--api-socket"}, paramLabel = "PATH") String apiSocket;
    @Mixin PcapOptions pcap;
    @Option(names = {"-h", "--help"}) boolean help;
    @Option(names = {"-v", "--version"}) boolean version;

    @Parameters(index = "0", arity = "0..1", paramLabel = "PID|PATH") String target;
    @Parameters(index = "1", arity = "0..1", paramLabel = "TAPNAME") String tapName;

    /** The fault injector of this run, when {@value FaultInjector#PROPERTY} asked for one (tests). */
    private volatile FaultInjector faults;

    /** Set by the signal handlers: a request to stop, as good as the exit fd closing. */
    private final CompletableFuture<Void> signalled = new CompletableFuture<>();

    /**
     * Set when {@code jnet usernetd} runs this command for a front end (see {@link Attachment}):
     * the front end opened the tap, holds the ready and exit fds and watches the target; the
     * signals are the daemon's, not this namespace's. Relative paths are the front end's.
     */
    static final ThreadLocal<Attachment> ATTACHMENT = new ThreadLocal<>();

    /** What serving a namespace for a front end needs from the daemon's connection to it. */
    interface Attachment {
        /** The front end's working directory: relative paths of its command line start there. */
        Path cwd();

        /**
         * Has the front end open the tap (and a route socket with {@code -c}) in the target's
         * namespaces, and serves it; {@code stop} completes when the front end detaches.
         */
        Usernet open(UsernetCommand command, Usernet.Options options, CompletableFuture<Void> stop);

        /**
         * Tells the front end to write its ready fd, after printing what this command wrote to
         * stderr so far (as the standalone process would have); {@code statsLine} answers its
         * SIGUSR1 from now on.
         */
        void ready(java.util.function.Supplier<String> statsLine);
    }

    /** The options as given, for a front end that opens the tap itself. */
    String targetArg() {
        return target;
    }

    String netnsTypeArg() {
        return netnsType == null ? "pid" : netnsType;
    }

    String usernsPathArg() {
        return usernsPath == null ? "" : path(usernsPath).toString();
    }

    String tapNameArg() {
        return tapName == null ? "tap0" : tapName;
    }

    boolean configureArg() {
        return configure;
    }

    String readyFdArg() {
        return readyFd == null ? "-1" : Integer.toString(SlirpArgs.fd(readyFd, "ready-fd"));
    }

    String exitFdArg() {
        return exitFd == null ? "-1" : Integer.toString(SlirpArgs.fd(exitFd, "exit-fd"));
    }

    /** {@code p} as the caller meant it: relative to the front end's directory under the daemon. */
    private Path path(String p) {
        Attachment a = ATTACHMENT.get();
        return a == null ? Path.of(p) : a.cwd().resolve(p);
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (help) {
            out.print(UsernetHelp.text());
            out.flush();
            return 0;
        }
        if (version) {
            out.println("jnet usernet version " + versionString());
            out.flush();
            return 0;
        }
        Attachment attachment = ATTACHMENT.get();
        Usernet.Options options;
        int ready;
        try {
            options = options();
            ready = readyFd == null ? -1 : SlirpArgs.fd(readyFd, "ready-fd");
            if (attachment == null && ready >= 0 && !Files.exists(Path.of("/proc/self/fd", Integer.toString(ready)), LinkOption.NOFOLLOW_LINKS)) {
                throw new SlirpArgs.Bad("ready-fd " + ready + " is not open");
            }
            if (attachment != null) {
                pcap.relativeTo(attachment.cwd());
            }
            if (apiSocket != null) {
                ApiServer.checkPath(path(apiSocket));
            }
            pcap.bound();
        } catch (SlirpArgs.Bad | UsernetException | ForwardException e) {
            return fail(err, e.getMessage());
        }
        if (enableSandbox && attachment == null) {
            OptionalInt inherited = SandboxRestart.inheritedTap();
            if (inherited.isEmpty()) {
                // the tap now, then this command again in a mount namespace of its own (same pid)
                List<Path> writable = new ArrayList<>();
                if (apiSocket != null) {
                    writable.add(Path.of(apiSocket));
                }
                if (pcap.file != null) {
                    writable.add(Path.of(pcap.file));
                }
                List<Integer> keep = new ArrayList<>();
                if (ready >= 0) {
                    keep.add(ready);
                }
                if (options.exitFd() >= 0) {
                    keep.add(options.exitFd());
                }
                try {
                    SandboxRestart.exec(options, writable, keep);
                } catch (UsernetException e) {
                    return fail(err, e.getMessage());
                }
            }
            options = SandboxRestart.inherited(options, inherited.getAsInt());
        }
        if (attachment == null) {
            onStopSignals();
        }
        Usernet usernet;
        try {
            options = new Usernet.Options(options.target(), options.tapName(), options.configure(), options.config(),
                    options.exitFd(), pcap.open(options.stack()));
            usernet = attachment == null ? Usernet.start(options) : attachment.open(this, options, signalled);
        } catch (UsernetException | SlirpArgs.Bad e) {
            pcap.close(err, "jnet usernet");
            return fail(err, e.getMessage());
        }
        ApiServer api = null;
        try {
            if (apiSocket != null) {
                // before the ready fd (a runtime adds its forwards as soon as it reads "1") and,
                // as in slirp4netns, before the sandbox
                if (usernet.forwarding() == null) {
                    return fail(err, "--api-socket: this stack has no port forwarding");
                }
                api = ApiServer.start(usernet.eventLoop(), usernet.forwarding(), path(apiSocket),
                        new UsernetObserver(usernet, pcap.capture()));
            }
            if (attachment == null && (enableSandbox || enableSeccomp)) {
                // no capabilities with --enable-sandbox; no_new_privs and seccomp either way (see UsernetHelp)
                usernet.sandbox(enableSandbox);
            }
            if (attachment != null) {
                attachment.ready(() -> statsLine(usernet)); // the front end writes its ready fd
            } else {
                onStatsSignal(usernet, err);
            }
            if (attachment == null && ready >= 0) {
                Usernet.signalReady(ready); // slirp4netns writes "1" to the ready fd and closes it
            }
            CompletableFuture.anyOf(usernet.exited(), signalled).join();
            Usernet.Exit exit = usernet.exited().getNow(null);
            if (exit != null && exit.reason() == Usernet.Reason.LINK_FAILED) {
                return fail(err, "the tap failed: " + exit.cause().getMessage());
            }
            if (exit != null && exit.reason() == Usernet.Reason.LOOP_FAILED) {
                return fail(err, "the event loop stopped: " + exit.cause());
            }
            return 0;
        } catch (UsernetException | ForwardException e) {
            return fail(err, e.getMessage());
        } finally {
            if (api != null) {
                api.close(); // the socket file goes too
            }
            usernet.close();
            pcap.close(err, "jnet usernet");
        }
    }

    private Usernet.Options options() {
        if (targetType != null && !targetType.equals("netns")) {
            throw new SlirpArgs.Bad("--target-type must be \"netns\" (bess is not supported)");
        }
        if (target == null) {
            throw new SlirpArgs.Bad("missing PID|PATH (try \"" + spec.qualifiedName() + " --help\")");
        }
        // re-run in the sandbox: the tap is open, the namespace files are not in its root
        boolean inSandbox = enableSandbox && SandboxRestart.inheritedTap().isPresent();
        if (usernsPath != null && !inSandbox && !Files.exists(path(usernsPath), LinkOption.NOFOLLOW_LINKS)) {
            throw new SlirpArgs.Bad("userns path doesn't exist: " + usernsPath);
        }
        GuestTarget guest;
        String type = netnsType == null ? "pid" : netnsType;
        switch (type) {
            case "pid" -> guest = GuestTarget.ofPid(SlirpArgs.pid(target));
            case "path" -> {
                if (!inSandbox && !Files.exists(path(target), LinkOption.NOFOLLOW_LINKS)) {
                    throw new SlirpArgs.Bad("existing path expected when --netns-type=path: " + target);
                }
                guest = GuestTarget.ofPath(path(target), usernsPath == null ? null : path(usernsPath));
            }
            default -> throw new SlirpArgs.Bad("--netns-type must be pid or path, not \"" + type + "\"");
        }
        String preopened = System.getProperty(GuestTarget.Preopened.PROPERTY);
        if (preopened != null && !inSandbox && ATTACHMENT.get() == null) {
            // ./jnet's stage opened this tap before the JVM started (jnet-usernet-stage.h)
            if (!preopened.matches("[0-9]{1,9}")) {
                throw new SlirpArgs.Bad(GuestTarget.Preopened.PROPERTY + "=" + preopened + " is not an fd");
            }
            guest = GuestTarget.preopened(guest, Integer.parseInt(preopened));
        }
        UsernetConfig config = UsernetConfig.defaults();
        if (cidr != null) {
            int[] net = SlirpArgs.cidr(cidr);
            config = config.withNetwork(net[0], net[1]);
        }
        if (mtu != null) {
            config = config.withMtu(SlirpArgs.mtu(mtu));
        }
        if (macAddress != null) {
            if (!configure) {
                throw new SlirpArgs.Bad("--macaddress cannot be specified when --configure or -c is not specified");
            }
            config = config.withGuestMac(SlirpArgs.mac(macAddress));
        }
        if (outboundAddr != null) {
            config = config.withOutboundAddr(SlirpArgs.outbound(outboundAddr));
        }
        if (outboundAddr6 != null) {
            config = config.withOutboundAddr6(SlirpArgs.outbound6(outboundAddr6));
        }
        if (resolvConf != null) {
            config = config.withResolvConf(path(resolvConf));
        }
        config = config.withHostLoopback(!disableHostLoopback).withDns(!disableDns);
        if (cidr6 != null && !enableIpv6) {
            throw new SlirpArgs.Bad("--cidr6 needs -6/--enable-ipv6");
        }
        if (enableIpv6) {
            if (config.mtu() < IPV6_MIN_MTU) {
                throw new SlirpArgs.Bad("IPv6 needs an MTU of at least " + IPV6_MIN_MTU + ", not " + config.mtu());
            }
            // the guest configures itself from the stack's router advertisements (SLAAC), as with
            // slirp4netns: --configure adds no IPv6 address or route
            config = config.withIpv6(cidr6 == null ? Ipv6Config.defaults() : SlirpArgs.cidr6(cidr6));
        }
        int exit = exitFd == null ? -1 : SlirpArgs.fd(exitFd, "exit-fd");
        return new Usernet.Options(guest, tapName == null ? "tap0" : tapName, configure, config, exit, withFaults(stack()));
    }

    /**
     * {@code stack} behind a {@link FaultInjector} when the system property
     * {@value FaultInjector#PROPERTY} holds a fault spec (robustness tests; see
     * {@link FaultInjector.Config#parse}), else {@code stack} itself: no cost when off.
     */
    private StackFactory withFaults(StackFactory stack) {
        String faultSpec = System.getProperty(FaultInjector.PROPERTY);
        if (faultSpec == null || faultSpec.isBlank()) {
            return stack;
        }
        FaultInjector.Config config;
        try {
            config = FaultInjector.Config.parse(faultSpec);
        } catch (IllegalArgumentException e) {
            throw new SlirpArgs.Bad(FaultInjector.PROPERTY + ": " + e.getMessage());
        }
        spec.commandLine().getErr().println("jnet usernet: fault injector on: " + config);
        spec.commandLine().getErr().flush();
        return stack.withFaults(config, injector -> faults = injector);
    }

    /** The built-in stack, or the {@link StackFactory} class named by {@value #STACK_PROPERTY}. */
    public static StackFactory stack() {
        String name = System.getProperty(STACK_PROPERTY);
        if (name == null || name.isEmpty()) {
            return StackFactory.builtIn();
        }
        try {
            return (StackFactory) Class.forName(name).getConstructor().newInstance();
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new SlirpArgs.Bad(STACK_PROPERTY + "=" + name + " is not a StackFactory with a public no-argument "
                    + "constructor: " + e);
        }
    }

    /** SIGTERM (how podman and rootlesskit stop it) and SIGINT end the run normally: exit 0. */
    @SuppressWarnings("restriction")
    private void onStopSignals() {
        sun.misc.SignalHandler stop = sig -> signalled.complete(null);
        sun.misc.Signal.handle(new sun.misc.Signal("TERM"), stop);
        sun.misc.Signal.handle(new sun.misc.Signal("INT"), stop);
    }

    /**
     * SIGUSR1 writes the stack's counters and tables as one {@link StatsLine} to stderr (the
     * dnsmasq convention); installed before readiness is signalled, so whoever waits for ready
     * may signal at once.
     */
    @SuppressWarnings("restriction")
    private void onStatsSignal(Usernet usernet, PrintWriter err) {
        sun.misc.Signal.handle(new sun.misc.Signal("USR1"), sig -> {
            String line = statsLine(usernet);
            synchronized (err) {
                err.println(line);
                err.flush();
            }
        });
    }

    /** The stats line, and the fault injector's line after it when there is one. */
    private String statsLine(Usernet usernet) {
        try {
            String line = usernet.stats().map(s -> StatsLine.of(s, usernet.processStats()))
                    .orElse("jnet usernet: stats unavailable (stopping)");
            FaultInjector f = faults;
            if (f != null) {
                line += "\n" + usernet.eventLoop().submit(() -> StatsLine.faults(f)).get(10, java.util.concurrent.TimeUnit.SECONDS);
            }
            return line;
        } catch (RuntimeException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return "jnet usernet: stats unavailable: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "jnet usernet: stats unavailable: interrupted";
        }
    }

    private static int fail(PrintWriter err, String message) {
        err.println("jnet usernet: " + message);
        err.flush();
        return EXIT_FAILED;
    }

    private static String versionString() {
        try {
            return JnetCommand.version().replaceFirst("^jnet ", "");
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }
}
