package dev.jnet.usernet.uplink;

import dev.jnet.linux.SyscallException;
import dev.jnet.linux.Syscalls;
import dev.jnet.net.IpAddress;
import dev.jnet.net.IpPrefix;
import dev.jnet.usernet.StackFactory;
import dev.jnet.usernet.Usernet;
import dev.jnet.usernet.UsernetConfig;
import dev.jnet.usernet.guest.GuestTarget;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;

/**
 * The process {@link Uplinks#connect} starts: {@code UplinkDaemon HOLDER_PID NETWORK/LEN MTU}.
 * Not a command for people: it speaks a two-line protocol with its starter. It leaves the
 * starter's session, makes and configures {@code tap0} in the holder's namespaces and serves it,
 * then prints {@code ready} (or {@code error MESSAGE} and exits 1) and waits for one byte on
 * stdin: {@code c} (the starter recorded it) makes it stay; end of file (the starter died or gave
 * up first) makes it stop, so no unrecorded uplink is left running. It ends, status 0, when the
 * holder exits (the namespace was deleted) and on SIGTERM ({@link Uplinks#disconnect}).
 */
public final class UplinkDaemon {
    private UplinkDaemon() {}

    public static void main(String[] args) {
        Usernet usernet;
        try {
            Syscalls.setsid("usernet uplink"); // no terminal's SIGINT or SIGHUP reaches it
        } catch (SyscallException e) {
            // already a group leader: stays in its session
        }
        try {
            if (args.length != 3) {
                throw new IllegalArgumentException("usage: UplinkDaemon HOLDER_PID NETWORK/LEN MTU");
            }
            IpPrefix net = IpPrefix.parse(args[1], IpAddress.Family.IPV4);
            UsernetConfig config = UsernetConfig.defaults().withNetwork(net.address().toIpv4Int(), net.length())
                    .withMtu(Integer.parseInt(args[2]));
            usernet = Usernet.start(new Usernet.Options(GuestTarget.ofPid(Long.parseLong(args[0])), Uplink.TAP, true,
                    config, -1, StackFactory.builtIn()));
        } catch (RuntimeException e) {
            System.out.println("error " + String.valueOf(e.getMessage()).replace('\n', ' '));
            System.out.flush();
            System.exit(1);
            return;
        }
        System.out.println("ready");
        System.out.flush();
        int answer;
        try {
            answer = System.in.read();
        } catch (IOException e) {
            answer = -1;
        }
        if (answer != 'c') {
            usernet.close();
            System.exit(1);
        }
        detachStdio();
        Runtime.getRuntime().addShutdownHook(new Thread(usernet::close, "uplink-stop"));
        usernet.exited().join();
        usernet.close();
        System.exit(0);
    }

    /** The starter is gone: its pipes are closed, nothing is written to them any more. */
    private static void detachStdio() {
        PrintStream none = new PrintStream(OutputStream.nullOutputStream());
        System.out.close();
        System.setOut(none);
        System.setErr(none);
        try {
            System.in.close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
