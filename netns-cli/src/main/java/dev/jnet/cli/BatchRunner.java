package dev.jnet.cli;

import dev.jnet.cli.ip.IpCli;
import dev.jnet.cli.ip.IpCommands;
import dev.jnet.cli.ip.IpOptions;
import dev.jnet.cli.ip.RtnlSession;
import dev.jnet.cli.netns.NetnsLines;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/**
 * {@code jnet [-n NETNS] [-force] -batch FILE|-}: one command per line, as {@code ip -batch}.
 * Every link/address/route line of a namespace goes over one {@link dev.jnet.rtnl.RtnlHandle}
 * (one netlink socket, one JVM); {@code netns add|del|connect|disconnect} lines share one
 * namespace manager; other lines run as separate jnet command lines. Blank lines and
 * {@code #} comments are skipped. A failing line prints its error and
 * {@code Command failed FILE:LINE} (iproute2's words) on stderr; the batch stops there, or
 * with {@code -force} goes on; either way the exit status is then 1.
 */
final class BatchRunner {
    private final JnetCommand jnet;
    private final PrintWriter out;
    private final PrintWriter err;
    private final RtnlSession session = new RtnlSession();
    private NetnsLines netnsLines;

    private BatchRunner(JnetCommand jnet, PrintWriter out, PrintWriter err) {
        this.jnet = jnet;
        this.out = out;
        this.err = err;
    }

    static int run(JnetCommand jnet) {
        CommandLine cl = jnet.spec.commandLine();
        BatchRunner r = new BatchRunner(jnet, cl.getOut(), cl.getErr());
        try {
            return r.runFile(jnet.batch, jnet.force);
        } finally {
            r.session.close();
            r.out.flush();
            r.err.flush();
        }
    }

    private int runFile(String file, boolean force) {
        BufferedReader in;
        try {
            in = file.equals("-")
                    ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
                    : Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            err.println("Cannot open file \"" + file + "\" for reading: No such file or directory");
            return 1;
        } catch (IOException e) {
            err.println("Cannot open file \"" + file + "\" for reading: " + e.getMessage());
            return 1;
        }
        int status = 0;
        try (in) {
            String line;
            int lineNo = 0;
            while ((line = in.readLine()) != null) {
                lineNo++;
                List<String> argv = makeargs(line);
                if (argv.isEmpty()) {
                    continue;
                }
                if (!runLine(argv)) {
                    err.println("Command failed " + file + ":" + lineNo);
                    err.flush();
                    status = 1;
                    if (!force) {
                        break;
                    }
                }
            }
        } catch (IOException e) {
            err.println("jnet: reading " + file + ": " + e.getMessage());
            return 1;
        }
        return status;
    }

    /** Runs one line; false when it failed (its error already printed). */
    private boolean runLine(List<String> argv) {
        try {
            return dispatch(argv);
        } catch (RuntimeException e) {
            out.flush();
            err.println(Failures.report(e).text());
            err.flush();
            return false;
        }
    }

    private boolean dispatch(List<String> argv) {
        // per-line options, as on the command line: -n NETNS, -4, -6, -j, -br, -s, -d, -o, -p
        String netns = jnet.netns;
        IpCommands.Opts opts = IpCli.opts(jnet);
        int i = 0;
        for (; i < argv.size(); i++) {
            String a = argv.get(i);
            String c = a.startsWith("-") ? IpOptions.canonical(a) : null;
            if ("-netns".equals(c) && i + 1 < argv.size()) {
                netns = argv.get(++i);
            } else if (c != null && opts.with(c) != null) {
                opts = opts.with(c);
            } else {
                break;
            }
        }
        if (i == argv.size()) {
            return true;
        }
        // ip's spellings of the object and netns command (a, l, r, n, netns a NAME), as on the command line
        List<String> cmd = List.of(IpOptions.normalize(argv.subList(i, argv.size()).toArray(String[]::new)));
        String obj = cmd.get(0);
        if (IpCli.isObject(obj)) {
            new IpCommands(session, netns, opts, out).run(cmd);
            out.flush();
            return true;
        }
        if (obj.equals("netns") && cmd.size() >= 2) {
            if (netnsLines == null) {
                netnsLines = new NetnsLines(session);
            }
            if (netnsLines.run(cmd.subList(1, cmd.size()))) {
                return true;
            }
        }
        // anything else: a jnet command line of its own (it prints its own errors)
        List<String> full = new ArrayList<>();
        if (opts.json()) {
            full.add("-j");
        }
        full.addAll(cmd);
        String[] args = IpOptions.normalize(full.toArray(String[]::new));
        CommandLine cl = Main.newCommandLine(args);
        cl.setOut(out);
        cl.setErr(err);
        int rc = cl.execute(args);
        out.flush();
        err.flush();
        return rc == 0;
    }

    /**
     * iproute2's makeargs: words split on blanks, "double" or 'single' quotes group, a word
     * starting with # ends the line.
     */
    static List<String> makeargs(String line) {
        List<String> out = new ArrayList<>();
        int i = 0;
        int n = line.length();
        while (i < n) {
            char c = line.charAt(i);
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                i++;
                continue;
            }
            if (c == '#') {
                break;
            }
            StringBuilder w = new StringBuilder();
            if (c == '"' || c == '\'') {
                int end = line.indexOf(c, i + 1);
                if (end < 0) {
                    end = n;
                }
                w.append(line, i + 1, end);
                i = end + 1;
            } else {
                while (i < n && " \t\r\n".indexOf(line.charAt(i)) < 0) {
                    w.append(line.charAt(i++));
                }
            }
            out.add(w.toString());
        }
        return out;
    }
}
