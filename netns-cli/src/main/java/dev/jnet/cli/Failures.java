package dev.jnet.cli;

import dev.jnet.linux.SyscallException;
import dev.jnet.netns.NetnsException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Maps library exceptions to one line on stderr and an exit status, as iproute2 does:
 * 255 for bad input (iproute2's {@code exit(-1)}), 1 for a failed operation.
 */
final class Failures implements IExecutionExceptionHandler {
    static final int EXIT_FAILED = 1;
    static final int EXIT_USAGE = 255;

    @Override
    public int handleExecutionException(Exception ex, CommandLine cl, ParseResult parsed) {
        PrintWriter err = cl.getErr();
        if (ex instanceof NetnsException n) {
            err.println(n.getMessage());
            err.flush();
            return n.kind() == NetnsException.Kind.INVALID_ARGUMENT ? EXIT_USAGE : EXIT_FAILED;
        }
        if (ex instanceof UsageException u) {
            err.println(u.getMessage());
            err.flush();
            return EXIT_USAGE;
        }
        if (ex instanceof SyscallException s) {
            err.println("jnet: " + s.getMessage());
            err.flush();
            return EXIT_FAILED;
        }
        err.println("jnet: " + ex);
        err.flush();
        return EXIT_FAILED;
    }

    static int usage(ParameterException ex, String[] args) {
        CommandLine cl = ex.getCommandLine();
        PrintWriter err = cl.getErr();
        err.println(ex.getMessage() + " (try \"" + cl.getCommandSpec().qualifiedName() + " --help\")");
        err.flush();
        return EXIT_USAGE;
    }

    /** Bad input detected by a command after parsing. */
    static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }
}
