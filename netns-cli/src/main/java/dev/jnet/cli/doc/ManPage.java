package dev.jnet.cli.doc;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/** The man page {@code jnet(1)} in troff (man macros), from the command model: every command, option and parameter. */
public final class ManPage {
    private ManPage() {}

    public static String of(CommandLine jnet, String version) {
        CommandSpec root = jnet.getCommandSpec();
        StringBuilder b = new StringBuilder();
        b.append(".\\\" Generated from jnet's command model at build time (dev.jnet.cli.doc.Docs): do not edit.\n");
        b.append(".TH JNET 1 \"\" \"").append(esc(version)).append("\" \"User Commands\"\n");
        b.append(".SH NAME\njnet \\- ").append(esc(text(root.usageMessage().description()))).append('\n');
        b.append(".SH SYNOPSIS\n.B jnet\n[\\fIOPTIONS\\fR] \\fICOMMAND\\fR [\\fIARGS\\fR]...\n");
        b.append(".SH DESCRIPTION\n").append(paragraph(root.usageMessage().description()));
        b.append(paragraph(root.usageMessage().footer()));
        b.append("Each command below also answers \\fB\\-\\-help\\fR.\n");
        b.append(".SH OPTIONS\n");
        options(b, root);
        b.append(".SH COMMANDS\n");
        for (CommandLine sub : distinct(jnet)) {
            command(b, sub);
        }
        b.append("""
                .SH FILES
                .TP
                .I /run/netns/NAME
                a rootful namespace, bind-mounted as iproute2 does (ip netns sees it)
                .TP
                .I $XDG_RUNTIME_DIR/netns/NAME
                a rootless namespace's record (/tmp/jnet\\-UID/netns without XDG_RUNTIME_DIR)
                .TP
                .I /etc/netns/NAME/
                files bind-mounted over /etc by \\fBjnet netns exec\\fR (resolv.conf, hosts, ...)
                .SH EXIT STATUS
                0 on success; 1 when a command failed, 2 for a kernel error, 255 for bad usage (as ip);
                \\fBnetns exec\\fR and \\fBrootless\\fR return the command's status.
                .SH SEE ALSO
                .BR ip (8),
                .BR ip\\-netns (8),
                .BR slirp4netns (1),
                .BR pasta (1)
                """);
        return b.toString();
    }

    /** {@code cl}'s subcommands, each once (aliases map to the same one), in declared order. */
    static List<CommandLine> distinct(CommandLine cl) {
        return new ArrayList<>(new LinkedHashSet<>(cl.getSubcommands().values()));
    }

    private static void command(StringBuilder b, CommandLine cl) {
        CommandSpec spec = cl.getCommandSpec();
        b.append(".SS \"").append(esc(spec.qualifiedName())).append("\"\n");
        String synopsis = new Help(spec, new Help.ColorScheme.Builder(Help.Ansi.OFF).build()).synopsis(0).strip();
        b.append(".nf\n").append(escLines(synopsis)).append("\n.fi\n");
        if (spec.aliases().length > 0) {
            b.append("Also: ").append(esc(String.join(", ", spec.aliases()))).append(".\n.br\n");
        }
        b.append(paragraph(spec.usageMessage().description()));
        for (PositionalParamSpec p : spec.positionalParameters()) {
            if (!p.hidden()) {
                b.append(".TP\n\\fI").append(esc(p.paramLabel())).append("\\fR\n")
                        .append(escLines(text(p.description()))).append('\n');
            }
        }
        options(b, spec);
        // footers are laid out line by line (examples in columns)
        String footer = String.join("\n", spec.usageMessage().footer()).replace("%n", "\n").replace("%%", "%").strip();
        if (!footer.isEmpty()) {
            b.append(".PP\n.nf\n").append(escLines(footer)).append("\n.fi\n");
        }
        for (CommandLine sub : distinct(cl)) {
            command(b, sub);
        }
    }

    private static void options(StringBuilder b, CommandSpec spec) {
        for (OptionSpec o : spec.options()) {
            if (o.hidden()) {
                continue;
            }
            b.append(".TP\n");
            List<String> names = new ArrayList<>();
            for (String n : o.names()) {
                names.add("\\fB" + esc(n) + "\\fR");
            }
            b.append(String.join(", ", names));
            if (o.arity().max() > 0) {
                b.append(" \\fI").append(esc(o.paramLabel())).append("\\fR");
            }
            b.append('\n').append(escLines(text(o.description()))).append('\n');
        }
    }

    /** picocli's description lines as one text (their %n as new lines). */
    static String text(String[] lines) {
        return String.join(" ", lines).replace("%n", "\n").replace("%%", "%").strip();
    }

    private static String paragraph(String[] lines) {
        String t = text(lines);
        return t.isEmpty() ? "" : ".PP\n" + escLines(t) + "\n";
    }

    private static String escLines(String text) {
        List<String> out = new ArrayList<>();
        for (String line : text.split("\n", -1)) {
            out.add(line.isBlank() ? ".sp" : esc(line));
        }
        return String.join("\n", out);
    }

    /** Text safe in troff: backslashes and hyphens escaped, no line starting as a request. */
    static String esc(String s) {
        String e = s.replace("\\", "\\e").replace("-", "\\-");
        return e.startsWith(".") || e.startsWith("'") ? "\\&" + e : e;
    }
}
