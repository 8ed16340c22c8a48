package dev.jnet.cli;

import picocli.CommandLine;

/** The {@code jnet} command's entry point: the only place that exits the JVM. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit status (for tests and embedding). */
    public static int run(String... args) {
        return newCommandLine().execute(args);
    }

    static CommandLine newCommandLine() {
        CommandLine cl = new CommandLine(new JnetCommand());
        cl.setExecutionExceptionHandler(new Failures());
        cl.setParameterExceptionHandler(Failures::usage);
        // exec takes the command to run verbatim: its options are not ours
        cl.getSubcommands().get("netns").getSubcommands().get("exec").setStopAtPositional(true);
        cl.getSubcommands().get("netns").getSubcommands().get("exec").setUnmatchedOptionsArePositionalParams(true);
        return cl;
    }
}
