package dev.jnet.cli.netns;

import dev.jnet.cli.Json;
import dev.jnet.topology.Graphviz;
import dev.jnet.topology.Topology;
import dev.jnet.topology.TopologyDot;
import dev.jnet.topology.TopologyException;
import dev.jnet.topology.TopologyScanner;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code jnet netns graph [--format dot|svg|json] [--all]}: the host's namespaces, their links
 * and addresses, veth pairs and bridge ports, as a picture ({@code dot}, default; {@code svg}
 * through Graphviz) or as JSON. Prints only: {@link TopologyScanner} looks, {@link TopologyDot}
 * draws.
 */
@Command(mixinStandardHelpOptions = true, name = "graph",
        description = "Draw the namespaces, their links and addresses, veth pairs and bridge ports (DOT, SVG or JSON).")
final class NetnsGraph implements Callable<Integer> {
    @ParentCommand NetnsCommand netns;

    @Option(names = {"-f", "--format"}, paramLabel = "FORMAT", description = "dot (default), svg (needs Graphviz's dot) or json.")
    String format = "dot";

    @Option(names = {"-a", "--all"}, description = "Also every namespace a process is in, named or not.")
    boolean all;

    @Override
    public Integer call() {
        PrintWriter out = netns.spec.commandLine().getOut();
        PrintWriter err = netns.spec.commandLine().getErr();
        String f = format.toLowerCase(Locale.ROOT);
        if (netns.json()) {
            f = "json";
        }
        if (!List.of("dot", "svg", "json").contains(f)) {
            err.println("jnet netns graph: unknown format \"" + format + "\": expected dot, svg or json");
            err.flush();
            return dev.jnet.cli.Failures.EXIT_USAGE;
        }
        if (f.equals("svg") && Graphviz.dot() == null) { // before looking at anything
            return fail(err, new TopologyException(TopologyException.Kind.GRAPHVIZ_MISSING,
                    "SVG needs Graphviz's dot, which is not on PATH (install the graphviz package, or use --format dot)",
                    null));
        }
        try {
            Topology t = TopologyScanner.scan(netns.manager(), all);
            out.print(switch (f) {
                case "json" -> json(t) + "\n";
                case "svg" -> Graphviz.svg(TopologyDot.render(t));
                default -> TopologyDot.render(t);
            });
            out.flush();
            return 0;
        } catch (TopologyException e) {
            return fail(err, e);
        }
    }

    private static int fail(PrintWriter err, TopologyException e) {
        err.println("jnet netns graph: " + e.getMessage());
        err.flush();
        return dev.jnet.cli.Failures.EXIT_FAILED;
    }

    /** {"namespaces":[{"id","name","kind","inode","links":[...]}],"edges":[{"kind","from":{..},"to":{..}}]}. */
    static String json(Topology t) {
        List<String> namespaces = new ArrayList<>();
        for (Topology.Namespace n : t.namespaces()) {
            List<String> links = new ArrayList<>();
            for (Topology.Iface i : n.links()) {
                links.add(new Json.Obj().put("ifindex", i.ifindex()).put("ifname", i.name()).put("kind", i.kind())
                        .put("up", i.up()).put("master", i.master()).putStrings("addresses", i.addresses()).toString());
            }
            namespaces.add(new Json.Obj().put("id", n.id()).put("name", n.name())
                    .put("kind", n.kind().name().toLowerCase(Locale.ROOT)).put("inode", n.inode())
                    .putRaw("links", Json.array(links)).toString());
        }
        List<String> edges = new ArrayList<>();
        for (Topology.Edge e : t.edges()) {
            edges.add(new Json.Obj().put("kind", e.kind().name().toLowerCase(Locale.ROOT).replace('_', '-'))
                    .putRaw("from", new Json.Obj().put("namespace", e.fromNamespace()).put("ifindex", e.fromIfindex()).toString())
                    .putRaw("to", new Json.Obj().put("namespace", e.toNamespace()).put("ifindex", e.toIfindex()).toString())
                    .toString());
        }
        return new Json.Obj().putRaw("namespaces", Json.array(namespaces)).putRaw("edges", Json.array(edges)).toString();
    }
}
