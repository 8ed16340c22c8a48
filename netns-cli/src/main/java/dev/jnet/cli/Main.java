package dev.jnet.cli;

import dev.jnet.cli.ip.IpError;
import dev.jnet.cli.ip.IpOptions;
import dev.jnet.cli.netns.NetnsCommand;
import dev.jnet.cli.usernet.PastaCommand;
import dev.jnet.cli.usernet.RootlessCommand;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** The {@code jnet} command's entry point: the only place that exits the JVM. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        quickStart();
        System.exit(run(args));
    }

    /**
     * Turns off picocli features that cost start-up and that jnet does not use: Groovy closures
     * (looking for groovy.lang.Closure opens every jar on the class path) and the java.sql and
     * java.time type converters (which load and initialize those packages). No option has such a type.
     */
    static void quickStart() {
        if (System.getProperty("picocli.disable.closures") == null) {
            System.setProperty("picocli.disable.closures", "true");
        }
        if (System.getProperty("picocli.converters.excludes") == null) {
            System.setProperty("picocli.converters.excludes", "java\\.sql\\..*,java\\.time\\..*");
        }
    }

    /**
     * The training run for ./jnet's class archive (AOT cache or CDS archive): runs common commands
     * so that the classes they need are archived. Its output is discarded; it changes nothing.
     */
    static final class Training {
        private Training() {}

        public static void main(String[] args) {
            quickStart();
            for (String line : List.of("--version", "--help", "netns --help", "netns list", "-j netns list",
                    "netns list --help", "netns exec --help", "netns frob", "usernet --help", "usernetd --help", "rootless --help")) {
                run(line.split(" "));
            }
            dev.jnet.usernet.Training.run(); // the stack's own classes: usernet --help loads none of them
            System.exit(0);
        }
    }

    /** Runs the command line and returns the exit status (for tests and embedding). */
    public static int run(String... args) {
        return run(null, null, args);
    }

    /**
     * Runs the command line with its output and errors going to {@code out} and {@code err}
     * (null: stdout and stderr). ip's spellings (abbreviated options, objects and netns commands,
     * {@code help}) are made jnet's first; an option neither knows is ip's one line and 255.
     */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        return run(out, err, null, args);
    }

    /**
     * As {@link #run(PrintWriter, PrintWriter, String...)}, with {@code prebuilt}, a tree that
     * {@link #newCommandLine} made ahead of time for the same command words (building the model by
     * reflection is most of a parse: {@code jnet usernetd} keeps one built for the next attach), or
     * null. It is used once; a tree built for other words gives other errors, so the caller
     * passes one only for args whose tree it knows.
     */
    public static int run(PrintWriter out, PrintWriter err, CommandLine prebuilt, String... args) {
        if (args.length > 0 && args[0].equals("pasta")) {
            // pasta's getopt command line (bin/pasta), not picocli's: -4, -6, -t80, --conf abbreviations
            return PastaCommand.run(out != null ? out : new PrintWriter(System.out, true),
                    err != null ? err : new PrintWriter(System.err, true), List.of(args).subList(1, args.length));
        }
        String[] a;
        try {
            a = IpOptions.normalize(args);
        } catch (IpError e) {
            PrintWriter w = err != null ? err : new PrintWriter(System.err, true);
            w.println(e.getMessage());
            w.flush();
            return e.exit();
        }
        CommandLine cl = prebuilt != null && java.util.Arrays.equals(a, args) ? prebuilt : newCommandLine(a);
        if (out != null) {
            cl.setOut(out);
        }
        if (err != null) {
            cl.setErr(err);
        }
        return cl.execute(a);
    }

    /**
     * The command tree for {@code args}. picocli builds each command's model by reflection, the
     * bulk of a short run, so a command gets only the subcommand {@code args} names; it gets all
     * of them (in declared order) when {@code args} may name another, or before its usage help.
     */
    public static CommandLine newCommandLine(String... args) {
        CommandLine cl = command(new JnetCommand().spec(), args, 0);
        cl.setExecutionExceptionHandler(new Failures());
        cl.setParameterExceptionHandler(Failures::usage);
        return cl;
    }

    /**
     * The whole command tree, every subcommand built: what the build generates the completion scripts
     * and the man page from (dev.jnet.cli.doc.Docs), and what their tests compare them with.
     */
    public static CommandLine fullCommandLine() {
        CommandLine cl = newCommandLine();
        expand(cl);
        return cl;
    }

    private static void expand(CommandLine cl) {
        addAll(cl, subcommandsOf(cl.getCommand()));
        for (CommandLine sub : new LinkedHashSet<>(cl.getSubcommands().values())) {
            expand(sub);
        }
    }

    /** The subcommands of {@code command}, in help order (instead of {@code @Command(subcommands)}, built eagerly). */
    private static List<Class<?>> subcommandsOf(Object command) {
        if (command instanceof JnetCommand) {
            return JnetCommand.SUBCOMMANDS;
        }
        if (command instanceof NetnsCommand) {
            return NetnsCommand.SUBCOMMANDS;
        }
        return List.of();
    }

    /** {@code command} (a model, an object or a class) with the subcommands {@code args[from..]} needs. */
    private static CommandLine command(Object command, String[] args, int from) {
        CommandLine cl = new CommandLine(command);
        Object user = cl.getCommand();
        if (user instanceof NetnsCommand.Exec) {
            // exec takes the command to run verbatim: its options are not ours
            cl.setStopAtPositional(true);
            cl.setUnmatchedOptionsArePositionalParams(true);
        }
        if (user instanceof dev.jnet.cli.usernet.UsernetCommand && from < args.length && args[from].equals("top")) {
            // only then: a usernet run's own positional words (PID, TAPNAME) are never taken for a subcommand
            cl.addSubcommand(command(dev.jnet.cli.usernet.UsernetTop.class, args, from + 1));
        }
        if (user instanceof RootlessCommand) {
            // CMD's own options are not ours (an unknown option before CMD is still an error)
            cl.setStopAtPositional(true);
        }
        List<Class<?>> subs = subcommandsOf(user);
        if (subs.isEmpty()) {
            return cl;
        }
        CommandSpec spec = cl.getCommandSpec();
        spec.usageMessage().helpFactory((s, colors) -> {
            if (s == spec) { // this command's help, not a subcommand's line in it
                addAll(cl, subs);
            }
            return new CommandLine.Help(s, colors);
        });
        int at = named(spec, subs, args, from);
        if (at >= 0) {
            cl.addSubcommand(command(find(subs, args[at]), args, at + 1));
        } else if (at == UNSURE) {
            addAll(cl, subs);
        }
        return cl;
    }

    private static final int NONE = -1;
    private static final int UNSURE = -2;

    /**
     * The index of the subcommand {@code args[from..]} names after {@code spec}'s own options, NONE if
     * it names none (parsing needs no subcommand then), UNSURE if it might (argument files, unknown
     * options or words, optional parameters: picocli's parser and messages get the full command).
     */
    private static int named(CommandSpec spec, List<Class<?>> subs, String[] args, int from) {
        for (int i = from; i < args.length; i++) {
            String a = args[i];
            if (a.startsWith("@") || a.equals("--")) {
                return UNSURE;
            }
            if (a.startsWith("-") && a.length() > 1) {
                OptionSpec o = spec.findOption(a);
                if (o == null || o.arity().min() != o.arity().max()) {
                    return UNSURE;
                }
                for (int n = o.arity().max(); n > 0; n--) { // its parameters, as separate words
                    if (++i >= args.length || args[i].startsWith("-")) {
                        return UNSURE;
                    }
                }
            } else {
                return find(subs, a) != null ? i : UNSURE;
            }
        }
        return NONE;
    }

    /** The subcommand called {@code name}, or null: reads each one's {@code @Command} only. */
    private static Class<?> find(List<Class<?>> subs, String name) {
        for (Class<?> c : subs) {
            Command a = c.getAnnotation(Command.class);
            if (a != null && (a.name().equals(name) || List.of(a.aliases()).contains(name))) {
                return c;
            }
        }
        return null;
    }

    /** Adds the subcommands not built yet, re-adding the built ones so that help lists them in order. */
    private static void addAll(CommandLine cl, List<Class<?>> subs) {
        CommandSpec spec = cl.getCommandSpec();
        List<CommandLine> built = new ArrayList<>(new LinkedHashSet<>(spec.subcommands().values()));
        if (built.size() == subs.size()) {
            return;
        }
        for (CommandLine b : built) {
            spec.removeSubcommand(b.getCommandName());
        }
        for (Class<?> c : subs) {
            CommandLine sub = null;
            for (CommandLine b : built) {
                if (b.getCommand().getClass() == c) {
                    sub = b;
                }
            }
            cl.addSubcommand(sub != null ? sub : command(c, new String[0], 0));
        }
    }
}
