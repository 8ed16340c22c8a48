package dev.jnet.topology;

import java.util.HashMap;
import java.util.Map;

/**
 * A {@link Topology} in Graphviz's DOT language: each namespace a cluster labelled with its name,
 * each link a node (name, kind, addresses), veth pairs as plain edges, bridge ports as dashed
 * edges to their bridge.
 */
public final class TopologyDot {
    private TopologyDot() {}

    public static String render(Topology t) {
        StringBuilder b = new StringBuilder();
        b.append("graph jnet {\n");
        b.append("  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=12, compound=true];\n");
        b.append("  node [shape=box, style=\"rounded,filled\", fillcolor=\"#f4f4f4\", fontname=\"Helvetica\", fontsize=10];\n");
        b.append("  edge [fontname=\"Helvetica\", fontsize=9];\n");
        Map<String, String> names = new HashMap<>();
        for (Topology.Namespace n : t.namespaces()) {
            names.put(n.id(), n.name());
            b.append("  subgraph ").append(quote("cluster_" + n.id())).append(" {\n");
            b.append("    label=").append(quote(n.name())).append(";\n");
            b.append("    style=\"rounded\"; color=")
                    .append(n.kind() == Topology.Kind.HOST ? "\"#1f77b4\"" : n.kind() == Topology.Kind.NAMED
                            ? "\"#2ca02c\"" : "\"#999999\"").append(";\n");
            if (n.links().isEmpty()) {
                b.append("    ").append(quote(n.id() + "_none")).append(" [label=\"(no links)\", style=dotted];\n");
            }
            for (Topology.Iface i : n.links()) {
                StringBuilder label = new StringBuilder(i.name());
                if (!i.kind().isEmpty()) {
                    label.append(" (").append(i.kind()).append(')');
                }
                if (!i.up()) {
                    label.append(" DOWN");
                }
                for (String a : i.addresses()) {
                    label.append('\n').append(a);
                }
                b.append("    ").append(quote(node(n.id(), i.ifindex()))).append(" [label=").append(quote(label.toString()))
                        .append(i.up() ? "" : ", fillcolor=\"#ffffff\"").append("];\n");
            }
            b.append("  }\n");
        }
        for (Topology.Edge e : t.edges()) {
            b.append("  ").append(quote(node(e.fromNamespace(), e.fromIfindex()))).append(" -- ")
                    .append(quote(node(e.toNamespace(), e.toIfindex())))
                    .append(e.kind() == Topology.EdgeKind.VETH ? " [label=\"veth\", penwidth=2];\n"
                            : " [style=dashed, label=\"port\"];\n");
        }
        b.append("}\n");
        return b.toString();
    }

    private static String node(String ns, int ifindex) {
        return ns + "_" + ifindex;
    }

    /** A DOT string: quotes and backslashes escaped, line breaks as DOT's centred \n. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                default -> b.append(c < 0x20 ? ' ' : c);
            }
        }
        return b.append('"').toString();
    }
}
