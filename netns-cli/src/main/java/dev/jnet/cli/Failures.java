package dev.jnet.cli;

import dev.jnet.cli.ip.IpError;
import dev.jnet.cli.usernet.RootlessCommand;
import dev.jnet.cli.usernet.UsernetCommand;
import dev.jnet.netlink.NetlinkException;
import dev.jnet.netns.NetnsException;
import dev.jnet.netns.SyscallFailure;
import dev.jnet.rtnl.RtnlException;
import dev.jnet.usernet.rootless.RootlessException;
import dev.jnet.wiring.WiringException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Maps library exceptions to one line on stderr and an exit status, as iproute2 does:
 * 255 for bad input (iproute2's {@code exit(-1)}), 1 for a failed operation, 2 for a request
 * the kernel refused ({@code RTNETLINK answers: ...} or the kernel's extended-ack
 * {@code Error: ...}), as ip link/addr/route do. The one place that turns typed failures into
 * text and exit statuses.
 */
public final class Failures implements IExecutionExceptionHandler {
    public static final int EXIT_FAILED = 1;
    public static final int EXIT_USAGE = 255;
    public static final int EXIT_KERNEL = 2;

    /** What to print (without the final newline) and the exit status, for failures of ip-like commands. */
    public record Report(String text, int exit) {}

    /** The report for {@code ex}, or null when it is not one of the ip-like failures. */
    public static Report ipReport(Throwable ex) {
        if (ex instanceof IpError e) {
            return new Report(e.getMessage(), e.exit());
        }
        if (ex instanceof NetlinkException n) {
            return new Report(netlinkText(n), EXIT_KERNEL);
        }
        if (ex instanceof RtnlException r) {
            return new Report(r.getMessage(), r.kind() == RtnlException.Kind.NO_DEVICE ? EXIT_FAILED : EXIT_USAGE);
        }
        if (ex instanceof WiringException w) {
            return new Report(wiringText(w), w.kind() == WiringException.Kind.INVALID_ARGUMENT ? EXIT_USAGE : EXIT_FAILED);
        }
        return null;
    }

    /** The connector's message, with what to do about it in the command line's words. */
    static String wiringText(WiringException w) {
        return switch (w.kind()) {
            case ALREADY_CONNECTED -> w.getMessage() + "; \"jnet netns disconnect " + w.namespace() + "\" first";
            case NO_FREE_SUBNET -> w.getMessage() + ": give --addr and --peer-addr";
            case ADDRESS_IN_USE -> "Error: " + w.getMessage() + ".";
            default -> w.getMessage();
        };
    }

    /** Any failure as a report: the ip-like ones, then the rest as {@link #handleExecutionException} prints them. */
    public static Report report(Throwable ex) {
        Report r = ipReport(ex);
        if (r != null) {
            return r;
        }
        if (ex instanceof NetnsException n) {
            return new Report(n.getMessage(), n.kind() == NetnsException.Kind.INVALID_ARGUMENT ? EXIT_USAGE : EXIT_FAILED);
        }
        if (ex instanceof UsageException u) {
            return new Report(u.getMessage(), EXIT_USAGE);
        }
        Optional<SyscallFailure> syscall = SyscallFailure.of(ex);
        if (syscall.isPresent()) {
            return new Report("jnet: " + syscall.get().message(), EXIT_FAILED);
        }
        return new Report("jnet: " + ex, EXIT_FAILED);
    }

    /**
     * The line {@code jnet rootless} prints (after its {@code jnet rootless: } prefix) for its own
     * failure {@code e}: a forward that failed is named as the {@code --publish} argument it came
     * from ({@code publish}, in the order the session got the forwards).
     */
    public static String rootlessText(RootlessException e, List<?> publish) {
        if (e.kind() == RootlessException.Kind.FORWARD && e.forwardIndex() >= 0 && e.forwardIndex() < publish.size()) {
            return "--publish " + publish.get(e.forwardIndex()) + ": " + e.getMessage();
        }
        return e.getMessage();
    }

    /** iproute2's wording: the extended ack as {@code Error: MSG.}, else {@code RTNETLINK answers: STRERROR}. */
    static String netlinkText(NetlinkException n) {
        String km = n.kernelMessage();
        if (km != null && !km.isEmpty()) {
            return "Error: " + km + (km.endsWith(".") ? "" : ".");
        }
        return "RTNETLINK answers: " + n.reason();
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine cl, ParseResult parsed) {
        Report r = report(ex);
        PrintWriter err = cl.getErr();
        err.println(r.text());
        err.flush();
        return r.exit();
    }

    public static int usage(ParameterException ex, String[] args) {
        CommandLine cl = ex.getCommandLine();
        PrintWriter err = cl.getErr();
        err.println(ex.getMessage() + " (try \"" + cl.getCommandSpec().qualifiedName() + " --help\")");
        err.flush();
        // usernet keeps slirp4netns's exit status for bad usage, rootless rootlesskit's and pasta's
        if (cl.getCommand() instanceof UsernetCommand) {
            return UsernetCommand.EXIT_FAILED;
        }
        return cl.getCommand() instanceof RootlessCommand ? RootlessCommand.EXIT_FAILED : EXIT_USAGE;
    }

    /** Bad input detected by a command after parsing. */
    public static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public UsageException(String message) {
            super(message);
        }
    }
}
