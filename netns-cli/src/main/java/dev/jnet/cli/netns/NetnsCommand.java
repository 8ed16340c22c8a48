package dev.jnet.cli.netns;

import dev.jnet.cli.Failures;
import dev.jnet.cli.JnetCommand;
import dev.jnet.cli.Json;

import dev.jnet.netns.NetnsEvent;
import dev.jnet.netns.NetnsInfo;
import dev.jnet.netns.NetnsManager;
import dev.jnet.rtnl.RtnlHandle;
import dev.jnet.wiring.NetnsConnector;
import dev.jnet.netns.NetnsMonitor;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code jnet netns ...}: iproute2's {@code ip netns} syntax, output and messages. */
@Command(name = "netns",
        mixinStandardHelpOptions = true,
        description = "Manage persistent network namespaces (as ip netns). Without a subcommand: list.",
        footer = {"",
            "Examples:",
            "  jnet netns add mynet                 create namespace mynet",
            "  jnet netns exec mynet ip -o link     run a command inside it",
            "  jnet netns list                      list namespaces (with nsid)",
            "  jnet -j netns list                   the same as JSON",
            "  jnet netns del mynet                 delete it",
            "",
            "As root the namespaces are iproute2's (ip netns exec works on them and vice versa);",
            "as another user they are rootless (you are uid 0 inside), kept by a holder process."})
public final class NetnsCommand implements Callable<Integer> {
    /** Subcommands, in help order: Main adds them as needed (the subcommands attribute would build all, slowly). */
    public static final List<Class<?>> SUBCOMMANDS = List.of(Add.class, Delete.class, ListCmd.class, Exec.class,
            Identify.class, Pids.class, Attach.class, SetId.class, Monitor.class, NetnsConnect.class,
            NetnsConnect.Disconnect.class, NetnsGraph.class);

    @ParentCommand
    JnetCommand jnet;

    @Option(names = {"-j", "-json", "--json"}, description = "Output JSON.")
    boolean json;

    @Spec
    CommandSpec spec;

    private NetnsManager manager;

    NetnsManager manager() {
        if (manager == null) {
            manager = NetnsManager.forCurrentUser();
        }
        return manager;
    }

    boolean json() {
        return json || jnet.json();
    }

    @Override
    public Integer call() {
        return ListCmd.print(this, spec.commandLine().getOut(), spec.commandLine().getErr(), false);
    }

    @Command(mixinStandardHelpOptions = true, name = "add", description = "Create a network namespace.")
    static final class Add implements Callable<Integer> {
        @ParentCommand NetnsCommand netns;
        @Parameters(paramLabel = "NAME") String name;

        @Override
        public Integer call() {
            netns.manager().add(name);
            return 0;
        }
    }

    @Command(mixinStandardHelpOptions = true, name = "delete", aliases = "del", description = "Delete network namespaces.")
    static final class Delete implements Callable<Integer> {
        @ParentCommand NetnsCommand netns;
        @Parameters(paramLabel = "NAME", arity = "1..*") List<String> names;

        @Override
        public Integer call() {
            NetnsManager m = netns.manager();
            for (String name : names) {
                if (!m.isRootless() && NetnsConnector.isConnected(NetnsConnector.defaultStateDir(), name)) {
                    try (RtnlHandle host = RtnlHandle.open()) {
                        new NetnsConnector(m, host, NetnsConnector.defaultStateDir()).delete(name);
                    }
                } else {
                    m.delete(name);
                }
            }
            return 0;
        }
    }

    @Command(mixinStandardHelpOptions = true, name = "list", aliases = "show", description = "List network namespaces.")
    static final class ListCmd implements Callable<Integer> {
        @ParentCommand NetnsCommand netns;
        @Option(names = {"-j", "-json", "--json"}, description = "Output JSON.") boolean json;
        @Spec CommandSpec spec;

        @Override
        public Integer call() {
            return print(netns, spec.commandLine().getOut(), spec.commandLine().getErr(), json);
        }

        static int print(NetnsCommand netns, PrintWriter out, PrintWriter err, boolean json) {
            List<NetnsInfo> all = netns.manager().list();
            if (json || netns.json()) {
                List<String> items = new ArrayList<>();
                for (NetnsInfo n : all) {
                    Json.Obj o = new Json.Obj().put("name", n.name());
                    if (n.nsid().isPresent()) {
                        o.put("id", n.nsid().getAsInt());
                    }
                    items.add(o.toString());
                }
                out.println(Json.array(items));
            } else {
                for (NetnsInfo n : all) {
                    out.println(n.name() + (n.nsid().isPresent() ? " (id: " + n.nsid().getAsInt() + ")" : ""));
                }
            }
            out.flush();
            for (NetnsInfo n : all) {
                if (!n.usable()) {
                    err.println("jnet: \"" + n.name() + "\" holds no namespace (interrupted add, or its holder "
                            + "is gone): \"jnet netns del " + n.name() + "\" removes it");
                }
            }
            err.flush();
            return 0;
        }
    }

    @Command(mixinStandardHelpOptions = true, name = "exec", description = "Run a command inside a network namespace; exits with its status.")
    public static final class Exec implements Callable<Integer> {
        @ParentCommand NetnsCommand netns;
        @Parameters(index = "0", paramLabel = "NAME") String name;
        @Parameters(index = "1..*", paramLabel = "CMD", arity = "1..*") List<String> command;

        @Override
        public Integer call() throws Exception {
            List<String> line = netns.manager().execCommand(name, command);
            return ChildProcess.runInForeground(line);
        }
    }

    @Command(mixinStandardHelpOptions = true, name = "identify", description = "Name the network namespace of a process (default: this one).")
    static final class Identify implements Callable<Integer> {
        @ParentCommand NetnsCommand netns;
        @Parameters(paramLabel = "PID", arity = "0..1") Long pid;
        @Spec CommandSpec spec;

        @Override
        public Integer call() {
            long p = pid == null ? ProcessHandle.current().pid() : pid;
            PrintWriter out = spec.commandLine().getOut();
            netns.manager().identify(p).forEach(out::println);
            out.flush();
            return 0;
        }
    }

    @Command(mixinStandardHelpOptions = true, name = "pids", description = "List processes in a network namespace.")
    static final class Pids implements Callable<Integer> {
        @ParentCommand NetnsCommand netns;
        @Parameters(paramLabel = "NAME") String name;
        @Spec CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            netns.manager().pids(name).forEach(out::println);
            out.flush();
            return 0;
        }
    }

    @Command(mixinStandardHelpOptions = true, name = "attach", description = "Name the network namespace of process PID.")
    static final class Attach implements Callable<Integer> {
        @ParentCommand NetnsCommand netns;
        @Parameters(index = "0", paramLabel = "NAME") String name;
        @Parameters(index = "1", paramLabel = "PID") long pid;

        @Override
        public Integer call() {
            netns.manager().attach(name, pid);
            return 0;
        }
    }

    @Command(mixinStandardHelpOptions = true, name = "set", description = "Assign an nsid (a number, or auto) to a namespace.")
    static final class SetId implements Callable<Integer> {
        @ParentCommand NetnsCommand netns;
        @Parameters(index = "0", paramLabel = "NAME") String name;
        @Parameters(index = "1", paramLabel = "auto|ID") String id;

        @Override
        public Integer call() {
            int nsid;
            if (id.equals("auto")) {
                nsid = -1;
            } else {
                try {
                    nsid = Integer.parseInt(id);
                } catch (NumberFormatException e) {
                    nsid = -2;
                }
                if (nsid < 0) {
                    throw new Failures.UsageException("Invalid \"netnsid\" value \"" + id + "\"");
                }
            }
            netns.manager().setId(name, nsid);
            return 0;
        }
    }

    @Command(mixinStandardHelpOptions = true, name = "monitor", description = "Print \"add NAME\" / \"delete NAME\" as namespaces come and go.")
    static final class Monitor implements Callable<Integer> {
        @ParentCommand NetnsCommand netns;
        @Spec CommandSpec spec;

        @Override
        public Integer call() throws InterruptedException {
            PrintWriter out = spec.commandLine().getOut();
            try (NetnsMonitor m = netns.manager().monitor((NetnsEvent e) -> {
                synchronized (out) {
                    out.println(e.type().word() + " " + e.name());
                    out.flush();
                }
            })) {
                m.await();
            }
            return 0;
        }
    }
}
