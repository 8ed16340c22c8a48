package dev.jnet.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A CNI result (0.3.0 and later shapes): interfaces, IP configs, routes and DNS. Routes keep
 * every field an IPAM plugin gave (mtu, advmss, priority, table, scope), written back as they came.
 */
public final class CniResult {
    public record Iface(String name, String mac, String sandbox) {}

    /** {@code iface} is an index into interfaces, or -1 when the result names none. */
    public record Ip(IpNet address, InetAddress gateway, int iface) {}

    public record RouteEntry(IpNet dst, InetAddress gw, ObjectNode raw) {}

    public final List<Iface> interfaces = new ArrayList<>();
    public final List<Ip> ips = new ArrayList<>();
    public final List<RouteEntry> routes = new ArrayList<>();
    public JsonNode dns;

    /** Reads a result as an IPAM plugin or a previous plugin wrote it; code 6 when its shape is wrong. */
    public static CniResult parse(JsonNode r) {
        CniResult out = new CniResult();
        try {
            for (JsonNode i : elements(r, "interfaces")) {
                out.interfaces.add(new Iface(i.path("name").asText(""), opt(i, "mac"), opt(i, "sandbox")));
            }
            for (JsonNode i : elements(r, "ips")) {
                String gw = opt(i, "gateway");
                out.ips.add(new Ip(IpNet.parse(i.path("address").asText("")),
                        gw == null ? null : IpNet.parseIp(gw), i.has("interface") ? i.get("interface").asInt(-1) : -1));
            }
            for (JsonNode i : elements(r, "routes")) {
                String gw = opt(i, "gw");
                out.routes.add(new RouteEntry(IpNet.parse(i.path("dst").asText("")),
                        gw == null ? null : IpNet.parseIp(gw), (ObjectNode) i.deepCopy()));
            }
        } catch (IllegalArgumentException | ClassCastException e) {
            throw new CniException(CniException.DECODING_FAILURE, "failed to decode result", e.getMessage());
        }
        JsonNode dns = r.get("dns");
        out.dns = dns == null || dns.isNull() ? null : dns;
        return out;
    }

    private static List<JsonNode> elements(JsonNode r, String key) {
        List<JsonNode> out = new ArrayList<>();
        JsonNode a = r.get(key);
        if (a == null || a.isNull()) {
            return out;
        }
        if (!a.isArray()) {
            throw new IllegalArgumentException("\"" + key + "\" is not an array");
        }
        for (Iterator<JsonNode> it = a.elements(); it.hasNext();) {
            JsonNode e = it.next();
            if (!e.isObject()) {
                throw new IllegalArgumentException("an element of \"" + key + "\" is not an object");
            }
            out.add(e);
        }
        return out;
    }

    private static String opt(JsonNode n, String key) {
        JsonNode v = n.get(key);
        return v == null || v.isNull() || v.asText().isEmpty() ? null : v.asText();
    }

    /** The result as spec version {@code version} writes it. */
    public ObjectNode toJson(String version) {
        ObjectNode o = BridgeConf.JSON.createObjectNode();
        o.put("cniVersion", version);
        if (!interfaces.isEmpty()) {
            ArrayNode a = o.putArray("interfaces");
            for (Iface i : interfaces) {
                ObjectNode n = a.addObject();
                n.put("name", i.name());
                if (i.mac() != null) {
                    n.put("mac", i.mac());
                }
                if (i.sandbox() != null) {
                    n.put("sandbox", i.sandbox());
                }
            }
        }
        if (!ips.isEmpty()) {
            ArrayNode a = o.putArray("ips");
            for (Ip i : ips) {
                ObjectNode n = a.addObject();
                if (CniVersions.ipsHaveVersion(version)) {
                    n.put("version", i.address().isV4() ? "4" : "6");
                }
                if (i.iface() >= 0) {
                    n.put("interface", i.iface());
                }
                n.put("address", i.address().toString());
                if (i.gateway() != null) {
                    n.put("gateway", IpNet.str(i.gateway()));
                }
            }
        }
        if (!routes.isEmpty()) {
            ArrayNode a = o.putArray("routes");
            for (RouteEntry r : routes) {
                ObjectNode n = r.raw() != null ? r.raw().deepCopy() : BridgeConf.JSON.createObjectNode();
                n.put("dst", r.dst().toString());
                if (r.gw() != null) {
                    n.put("gw", IpNet.str(r.gw()));
                }
                a.add(n);
            }
        }
        o.set("dns", dns != null ? dns.deepCopy() : BridgeConf.JSON.createObjectNode());
        return o;
    }
}
