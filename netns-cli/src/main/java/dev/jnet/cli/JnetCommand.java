package dev.jnet.cli;

import dev.jnet.cli.doc.CompletionCommand;
import dev.jnet.cli.ip.AddrCommand;
import dev.jnet.cli.ip.LinkCommand;
import dev.jnet.cli.ip.NeighCommand;
import dev.jnet.cli.ip.RouteCommand;
import dev.jnet.cli.netns.NetnsCommand;
import dev.jnet.cli.usernet.PastaDocCommand;
import dev.jnet.cli.usernet.RootlessCommand;
import dev.jnet.cli.usernet.UsernetCommand;
import dev.jnet.cli.usernet.UsernetdCommand;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.List;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.IGetter;
import picocli.CommandLine.Model.ISetter;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code jnet}: the root command. Its model is built in code rather than from picocli annotations:
 * reading annotations makes a dynamic proxy class per annotation type, which no class archive
 * keeps, and that was most of {@code jnet --version}. The subcommands keep their annotations.
 */
public final class JnetCommand implements Runnable, picocli.CommandLine.IExitCodeGenerator {
    /** Subcommands, in help order: Main adds them as needed (the subcommands attribute would build all, slowly). */
    static final List<Class<?>> SUBCOMMANDS = List.of(NetnsCommand.class, LinkCommand.class, AddrCommand.class,
            RouteCommand.class, NeighCommand.class, UsernetCommand.class, UsernetdCommand.class, RootlessCommand.class, PastaDocCommand.class,
            CompletionCommand.class);

    /** -j: read by the subcommands. */
    boolean json;

    /** -n NETNS: link/address/route commands run inside this namespace (as ip -n). */
    String netns;

    /** -4 / -6: the address family (as ip). */
    boolean ipv4;
    boolean ipv6;

    /** -brief, -stats (counted), -details, -oneline, -pretty (as ip). */
    boolean brief;
    boolean[] stats = new boolean[0];
    boolean details;
    boolean oneline;
    boolean pretty;

    /** -batch FILE and -force (as ip). */
    String batch;
    boolean force;

    private int exitCode;

    /** -j: JSON output. */
    public boolean json() {
        return json;
    }

    /** -n NETNS, or null for the current namespace. */
    public String netns() {
        return netns;
    }

    /** -4 / -6: 4 or 6, 0 for both. */
    public int family() {
        return ipv6 ? 6 : ipv4 ? 4 : 0;
    }

    /** -brief. */
    public boolean brief() {
        return brief;
    }

    /** How many times -s was given. */
    public int stats() {
        return stats == null ? 0 : stats.length;
    }

    /** -details. */
    public boolean details() {
        return details;
    }

    /** -oneline. */
    public boolean oneline() {
        return oneline;
    }

    /** -pretty (with -j). */
    public boolean pretty() {
        return pretty;
    }

    /** Where this command line's output goes. */
    public PrintWriter out() {
        return spec.commandLine().getOut();
    }

    /** {@code jnet VERSION} as {@code --version} prints it. */
    public static String version() throws IOException {
        return new Version().getVersion()[0];
    }

    CommandSpec spec;

    /** What {@code @Command(name = "jnet", mixinStandardHelpOptions = true, ...)} and {@code @Option}s would declare. */
    CommandSpec spec() {
        spec = CommandSpec.wrapWithoutInspection(this);
        spec.name("jnet");
        spec.versionProvider(new Version());
        spec.usageMessage()
                .description("Rootless Linux networking toolkit: network namespaces (iproute2-compatible).")
                .footer("", "Run as root, jnet manages iproute2's namespaces (/run/netns); as another user, "
                        + "rootless namespaces under $XDG_RUNTIME_DIR/netns.");
        spec.addOption(OptionSpec.builder("-j", "-json", "--json")
                .description("Output JSON (as ip -j).")
                .type(boolean.class)
                .initialValue(false)
                .getter(new IGetter() {
                    @Override
                    @SuppressWarnings("unchecked")
                    public <T> T get() {
                        return (T) Boolean.valueOf(json);
                    }
                })
                .setter(new ISetter() {
                    @Override
                    @SuppressWarnings("unchecked")
                    public <T> T set(T value) {
                        Boolean old = json;
                        json = (Boolean) value;
                        return (T) old;
                    }
                })
                .build());
        spec.addOption(option(OptionSpec.builder("-n", "-netns", "--netns").paramLabel("NETNS")
                .description("Run link/address/route commands inside network namespace NETNS (as ip -n)."),
                String.class, () -> netns, v -> netns = (String) v));
        spec.addOption(option(OptionSpec.builder("-4").description("IPv4 only (as ip -4)."),
                boolean.class, () -> ipv4, v -> ipv4 = (Boolean) v));
        spec.addOption(option(OptionSpec.builder("-6").description("IPv6 only (as ip -6)."),
                boolean.class, () -> ipv6, v -> ipv6 = (Boolean) v));
        spec.addOption(option(OptionSpec.builder("-br", "-brief", "--brief")
                .description("Brief output: one line per link or address (as ip -br)."),
                boolean.class, () -> brief, v -> brief = (Boolean) v));
        spec.addOption(option(OptionSpec.builder("-s", "-stats", "-statistics").arity("0")
                .description("Link statistics; twice for the error counters (as ip -s)."),
                boolean[].class, () -> stats, v -> stats = (boolean[]) v));
        spec.addOption(option(OptionSpec.builder("-d", "-details")
                .description("Detailed link output (as ip -d)."),
                boolean.class, () -> details, v -> details = (Boolean) v));
        spec.addOption(option(OptionSpec.builder("-o", "-oneline")
                .description("One line per record, newlines as \\ (as ip -o)."),
                boolean.class, () -> oneline, v -> oneline = (Boolean) v));
        spec.addOption(option(OptionSpec.builder("-p", "-pretty")
                .description("With -j: indented JSON (as ip -j -p)."),
                boolean.class, () -> pretty, v -> pretty = (Boolean) v));
        spec.addOption(option(OptionSpec.builder("-b", "-batch", "--batch").paramLabel("FILE")
                .description("Run the commands in FILE (- for stdin), one per line, over one netlink socket per "
                        + "namespace; stops at the first failure (as ip -batch)."),
                String.class, () -> batch, v -> batch = (String) v));
        spec.addOption(option(OptionSpec.builder("-force", "--force")
                .description("With -batch: go on past failed lines (exit 1 at the end if any failed)."),
                boolean.class, () -> force, v -> force = (Boolean) v));
        // picocli's standard help options, as mixinStandardHelpOptions adds them
        spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true)
                .description("Show this help message and exit.").build());
        spec.addOption(OptionSpec.builder("-V", "--version").versionHelp(true)
                .description("Print version information and exit.").build());
        return spec;
    }

    /** An option bound to a field through plain lambdas (no annotations: see the class comment). */
    private static OptionSpec option(OptionSpec.Builder b, Class<?> type, java.util.function.Supplier<Object> get,
            java.util.function.Consumer<Object> set) {
        if (type == boolean.class) {
            b.initialValue(false);
        }
        return b.type(type)
                .getter(new IGetter() {
                    @Override
                    @SuppressWarnings("unchecked")
                    public <T> T get() {
                        return (T) get.get();
                    }
                })
                .setter(new ISetter() {
                    @Override
                    @SuppressWarnings("unchecked")
                    public <T> T set(T value) {
                        Object old = get.get();
                        set.accept(value);
                        return (T) old;
                    }
                })
                .build();
    }

    @Override
    public void run() {
        if (batch != null) {
            exitCode = BatchRunner.run(this);
            return;
        }
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Override
    public int getExitCode() {
        return exitCode;
    }

    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = JnetCommand.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            }
            return new String[] {"jnet " + p.getProperty("version", "unknown")};
        }
    }
}
