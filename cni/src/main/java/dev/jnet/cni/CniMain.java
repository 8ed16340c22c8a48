package dev.jnet.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jnet.netlink.NetlinkException;
import dev.jnet.rtnl.RtnlException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * jnet-bridge's entry point: CNI_* environment and the network configuration on stdin in; the
 * result, or the error object, on stdout. The one place where failures become CNI error codes
 * and an exit status.
 */
public final class CniMain {
    private CniMain() {}

    public static void main(String[] args) {
        int rc = run(System.getenv(), System.in, System.out);
        System.out.flush();
        System.exit(rc);
    }

    /** One plugin call: what it printed went to {@code out}; the exit status is returned. */
    public static int run(Map<String, String> environment, InputStream in, PrintStream out) {
        String version = CniVersions.LATEST;
        try {
            String cmd = environment.get("CNI_COMMAND");
            byte[] stdin = readStdin(in);
            if ("VERSION".equals(cmd)) {
                print(out, versionInfo(stdin));
                return 0;
            }
            CniEnv env = CniEnv.from(environment);
            BridgeConf conf = BridgeConf.parse(stdin);
            if (CniVersions.supported(conf.cniVersion())) {
                version = conf.cniVersion();
            }
            checkVersion(conf.cniVersion(), env.command());
            BridgePlugin plugin = new BridgePlugin(conf, env);
            switch (env.command()) {
                case "ADD" -> print(out, plugin.add());
                case "DEL" -> plugin.del();
                case "CHECK" -> plugin.check();
                case "STATUS" -> plugin.status();
                case "GC" -> plugin.gc();
                default -> throw new CniException(CniException.INVALID_ENV, "unknown CNI_COMMAND: " + env.command());
            }
            return 0;
        } catch (RuntimeException e) {
            CniException c = toCni(e);
            print(out, errorObject(version, c));
            return 1;
        }
    }

    /** The spec's version check: code 1 for a version jnet-bridge does not speak or a command it does not allow. */
    static void checkVersion(String v, String command) {
        if (!CniVersions.supported(v)) {
            throw new CniException(CniException.INCOMPATIBLE_VERSION, "incompatible CNI versions; config is \"" + v
                    + "\", plugin supports " + CniVersions.SUPPORTED);
        }
        if (!CniVersions.allows(v, command)) {
            throw new CniException(CniException.INCOMPATIBLE_VERSION, "config version \"" + v
                    + "\" does not allow command \"" + command + "\"");
        }
    }

    /** VERSION: the versions spoken, under the version the caller asked in (the latest when it did not say). */
    static ObjectNode versionInfo(byte[] stdin) {
        String v = CniVersions.LATEST;
        try {
            JsonNode n = stdin.length == 0 ? null : BridgeConf.JSON.readTree(stdin);
            if (n != null && n.path("cniVersion").isTextual() && CniVersions.supported(n.get("cniVersion").asText())) {
                v = n.get("cniVersion").asText();
            }
        } catch (IOException e) {
            // VERSION needs no valid config
        }
        ObjectNode o = BridgeConf.JSON.createObjectNode();
        o.put("cniVersion", v);
        ArrayNode a = o.putArray("supportedVersions");
        CniVersions.SUPPORTED.forEach(a::add);
        return o;
    }

    /** Every failure as a CNI error: typed ones by their kind, anything else as 999 with its text. */
    static CniException toCni(RuntimeException e) {
        if (e instanceof CniException c) {
            return c;
        }
        if (e instanceof NetlinkException n) {
            return new CniException(CniException.INTERNAL, n.getMessage());
        }
        if (e instanceof RtnlException r) {
            return new CniException(CniException.INTERNAL, r.getMessage());
        }
        String msg = e.getMessage() != null ? e.getMessage() : e.toString();
        return new CniException(CniException.INTERNAL, msg);
    }

    static ObjectNode errorObject(String version, CniException e) {
        ObjectNode o = BridgeConf.JSON.createObjectNode();
        o.put("cniVersion", version);
        o.put("code", e.code());
        o.put("msg", e.getMessage() == null ? "" : e.getMessage());
        if (!e.details().isEmpty()) {
            o.put("details", e.details());
        }
        return o;
    }

    private static byte[] readStdin(InputStream in) {
        try {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new CniException(CniException.IO_FAILURE, "error reading from stdin: " + e.getMessage());
        }
    }

    private static void print(PrintStream out, ObjectNode o) {
        try {
            out.write(BridgeConf.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(o));
            out.write('\n');
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        out.flush();
    }

    /**
     * The class archive's training run (bin/cni/jnet-bridge): the codecs, the error path, a
     * delegated process and read-only netlink queries on the caller's own namespace; it changes nothing.
     */
    public static final class Training {
        private Training() {}

        public static void main(String[] args) throws Exception {
            java.io.ByteArrayOutputStream sink = new java.io.ByteArrayOutputStream();
            PrintStream out = new PrintStream(sink, true, StandardCharsets.UTF_8);
            String conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"training\",\"type\":\"jnet-bridge\","
                    + "\"bridge\":\"cni-training\",\"isGateway\":true,\"ipMasq\":false,\"mtu\":1500,"
                    + "\"ipam\":{\"type\":\"host-local\",\"subnet\":\"192.0.2.0/24\"},\"dns\":{},"
                    + "\"prevResult\":{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"eth0\","
                    + "\"mac\":\"02:00:00:00:00:01\",\"sandbox\":\"/run/netns/x\"}],\"ips\":[{\"address\":"
                    + "\"192.0.2.2/24\",\"gateway\":\"192.0.2.1\",\"interface\":0}],\"routes\":[{\"dst\":"
                    + "\"0.0.0.0/0\",\"gw\":\"192.0.2.1\"},{\"dst\":\"2001:db8::/64\"}],\"dns\":{}}}";
            byte[] bytes = conf.getBytes(StandardCharsets.UTF_8);
            run(Map.of("CNI_COMMAND", "VERSION"), new java.io.ByteArrayInputStream(bytes), out);
            for (String cmd : new String[] {"ADD", "CHECK", "DEL"}) {
                run(Map.of("CNI_COMMAND", cmd, "CNI_CONTAINERID", "training", "CNI_NETNS", "/nonexistent/netns",
                        "CNI_IFNAME", "eth0", "CNI_PATH", "/nonexistent"), new java.io.ByteArrayInputStream(bytes), out);
            }
            run(Map.of("CNI_COMMAND", "ADD"), new java.io.ByteArrayInputStream(bytes), out);
            run(Map.of("CNI_COMMAND", "ADD", "CNI_CONTAINERID", "t", "CNI_NETNS", "/x", "CNI_IFNAME", "eth0",
                    "CNI_PATH", "/x"), new java.io.ByteArrayInputStream("{".getBytes(StandardCharsets.UTF_8)), out);
            BridgeConf c = BridgeConf.parse(bytes);
            CniResult r = CniResult.parse(c.prevResult());
            for (String v : CniVersions.SUPPORTED) {
                BridgeConf.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(r.toJson(v));
            }
            Delegate.errorOf("x", 1, "{\"code\":7,\"msg\":\"m\"}");
            IpMasq.chainName("training", "id");
            try {
                new ProcessBuilder("true").start().waitFor();
            } catch (IOException e) {
                // only loading classes
            }
            try (dev.jnet.rtnl.RtnlHandle h = dev.jnet.netns.NetnsThreads.call(java.nio.file.Path.of("/proc/self/ns/net"),
                    "training", dev.jnet.rtnl.RtnlHandle::open)) {
                h.link("lo");
                h.links();
                h.addresses(0, "lo");
                h.routes(0, 254);
                try {
                    h.link("jnet-no-such");
                } catch (RtnlException e) {
                    // the not-found path
                }
            } catch (Exception e) {
                // not allowed here: the archive simply has fewer classes
            }
        }
    }
}
