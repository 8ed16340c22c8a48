package dev.jnet.it.cli;

import static dev.jnet.it.cli.IpOracle.ipOk;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jnet.it.HostNetns;
import dev.jnet.it.JnetCli;
import dev.jnet.it.JnetIntegrationTest;
import dev.jnet.it.JsonReader;
import dev.jnet.it.Proc;
import dev.jnet.it.RequiresRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code jnet netns graph}: two namespaces joined by a veth pair are named and joined in the
 * JSON and DOT output, and the SVG that Graphviz renders names both (skipped without dot unless
 * CI=true).
 */
@RequiresRoot
@JnetIntegrationTest
class NetnsGraphTest {
    private static Proc.Result ok(JnetCli jnet, String... args) {
        Proc.Result r = jnet.run(args);
        assertThat(r.exit()).as(r.describe()).isZero();
        return r;
    }

    /** Two fresh namespaces with va (10.201.7.1/24) in a and vb (10.201.7.2/24) in b, a veth pair. */
    private static String[] twoJoined(JnetCli jnet, HostNetns host) {
        String a = host.name("ga");
        String b = host.name("gb");
        ok(jnet, "netns", "add", a);
        ok(jnet, "netns", "add", b);
        ipOk("-n", a, "link", "add", "va", "type", "veth", "peer", "name", "vb", "netns", b);
        ipOk("-n", a, "addr", "add", "10.201.7.1/24", "dev", "va");
        ipOk("-n", b, "addr", "add", "10.201.7.2/24", "dev", "vb");
        ipOk("-n", a, "link", "set", "va", "up");
        return new String[] {a, b};
    }

    @Test
    @SuppressWarnings("unchecked")
    void jsonAndDotNameBothNamespacesAndTheVethBetweenThem(JnetCli jnet, HostNetns host) {
        String[] ns = twoJoined(jnet, host);
        Map<String, Object> graph = (Map<String, Object>) JsonReader.parse(ok(jnet, "netns", "graph", "--format", "json").stdout());
        List<Map<String, Object>> namespaces = (List<Map<String, Object>>) graph.get("namespaces");
        Map<String, Object> a = byName(namespaces, ns[0]);
        Map<String, Object> b = byName(namespaces, ns[1]);
        assertThat(a.get("kind")).isEqualTo("named");
        Map<String, Object> va = link(a, "va");
        Map<String, Object> vb = link(b, "vb");
        assertThat(va.get("kind")).isEqualTo("veth");
        assertThat((List<Object>) va.get("addresses")).containsExactly("10.201.7.1/24");
        assertThat((List<Object>) vb.get("addresses")).containsExactly("10.201.7.2/24");
        assertThat(va.get("up")).isEqualTo(true);
        assertThat(vb.get("up")).isEqualTo(false);
        String aEnd = a.get("id") + "/" + va.get("ifindex");
        String bEnd = b.get("id") + "/" + vb.get("ifindex");
        long joined = ((List<Map<String, Object>>) graph.get("edges")).stream().filter(e -> e.get("kind").equals("veth"))
                .map(e -> end(e.get("from")) + " " + end(e.get("to")))
                .filter(pair -> pair.equals(aEnd + " " + bEnd) || pair.equals(bEnd + " " + aEnd)).count();
        assertThat(joined).as("one veth edge between " + aEnd + " and " + bEnd + " in " + graph.get("edges")).isEqualTo(1);

        String dot = ok(jnet, "netns", "graph").stdout();
        assertThat(dot).startsWith("graph jnet {").contains("label=\"" + ns[0] + "\";", "label=\"" + ns[1] + "\";");
        assertThat(dot).contains("\"" + a.get("id") + "_" + va.get("ifindex") + "\" [label=\"va (veth)\\n10.201.7.1/24\"]");
        assertThat(dot).containsPattern(Pattern.quote("\"" + a.get("id") + "_" + va.get("ifindex") + "\" -- \""
                + b.get("id") + "_" + vb.get("ifindex") + "\"") + "|" + Pattern.quote("\"" + b.get("id") + "_"
                + vb.get("ifindex") + "\" -- \"" + a.get("id") + "_" + va.get("ifindex") + "\""));
    }

    @Test
    void theSvgRendersAndNamesBothNamespaces(JnetCli jnet, HostNetns host) {
        boolean haveDot = Files.isExecutable(Path.of("/usr/bin/dot"));
        assumeTrue(haveDot || "true".equals(System.getenv("CI")), "Graphviz's dot is not installed");
        String[] ns = twoJoined(jnet, host);
        Proc.Result svg = ok(jnet, "netns", "graph", "--format", "svg");
        assertThat(svg.stdout()).contains("<svg").contains("</svg>");
        // Graphviz writes label text as XML: "-" may come out as &#45;, so read the text back
        String text = xmlText(svg.stdout());
        assertThat(text).contains(ns[0], ns[1], "va (veth)", "vb (veth)", "10.201.7.1/24");
    }

    @Test
    void svgWithoutGraphvizIsOneClearLine(JnetCli jnet) {
        List<String> cmd = new java.util.ArrayList<>(List.of("env", "PATH=/nonexistent"));
        cmd.addAll(jnet.commandLine("netns", "graph", "--format", "svg"));
        Proc.Result r = Proc.run(Proc.DEFAULT_TIMEOUT, cmd);
        assertThat(r.exit()).as(r.describe()).isEqualTo(1);
        assertThat(r.stderr().strip()).isEqualTo("jnet netns graph: SVG needs Graphviz's dot, which is not on PATH "
                + "(install the graphviz package, or use --format dot)");
        assertThat(r.stdout()).isEmpty();
    }

    @Test
    void aBadFormatIsOneLine(JnetCli jnet) {
        Proc.Result r = jnet.run("netns", "graph", "--format", "png");
        assertThat(r.exit()).isEqualTo(255);
        assertThat(r.stderr().strip()).isEqualTo("jnet netns graph: unknown format \"png\": expected dot, svg or json");
        assertThat(r.stdout()).isEmpty();
    }

    /** The character data of every {@code <text>} element, entities decoded, one per line. */
    static String xmlText(String svg) {
        StringBuilder out = new StringBuilder();
        Matcher m = Pattern.compile("<text[^>]*>([^<]*)</text>").matcher(svg);
        while (m.find()) {
            out.append(decode(m.group(1))).append('\n');
        }
        return out.toString();
    }

    private static String decode(String s) {
        Matcher m = Pattern.compile("&#(x?)([0-9a-fA-F]+);|&(amp|lt|gt|quot|apos);").matcher(s);
        StringBuilder b = new StringBuilder();
        while (m.find()) {
            String rep;
            if (m.group(2) != null) {
                rep = new String(Character.toChars(Integer.parseInt(m.group(2), m.group(1).isEmpty() ? 10 : 16)));
            } else {
                rep = switch (m.group(3)) {
                    case "amp" -> "&";
                    case "lt" -> "<";
                    case "gt" -> ">";
                    case "quot" -> "\"";
                    default -> "'";
                };
            }
            m.appendReplacement(b, Matcher.quoteReplacement(rep));
        }
        return m.appendTail(b).toString();
    }

    @SuppressWarnings("unchecked")
    private static String end(Object o) {
        Map<String, Object> m = (Map<String, Object>) o;
        return m.get("namespace") + "/" + m.get("ifindex");
    }

    private static Map<String, Object> byName(List<Map<String, Object>> namespaces, String name) {
        return namespaces.stream().filter(n -> name.equals(n.get("name"))).findFirst()
                .orElseThrow(() -> new AssertionError(name + " not among " + namespaces.stream().map(n -> n.get("name")).toList()));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> link(Map<String, Object> ns, String ifname) {
        return ((List<Map<String, Object>>) ns.get("links")).stream().filter(l -> ifname.equals(l.get("ifname"))).findFirst()
                .orElseThrow(() -> new AssertionError(ifname + " not in " + ns));
    }
}
