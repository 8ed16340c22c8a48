package dev.jnet.cni;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Set;

/**
 * jnet-bridge's network configuration, with the reference bridge plugin's keys and defaults.
 * The whole document stays available as a tree ({@link #raw}): IPAM plugins are given it as is,
 * and prevResult passes through untouched.
 */
public record BridgeConf(
        String cniVersion,
        String name,
        String type,
        String bridge,
        boolean isGateway,
        boolean isDefaultGateway,
        boolean forceAddress,
        boolean ipMasq,
        int mtu,
        boolean hairpinMode,
        boolean promiscMode,
        int vlan,
        String ipamType,
        JsonNode dns,
        JsonNode prevResult,
        ObjectNode raw) {

    public static final ObjectMapper JSON = new ObjectMapper();
    public static final String DEFAULT_BRIDGE = "cni0";

    /** The keys this plugin reads; every other key is ignored, as the reference plugins do. */
    static final Set<String> BOOLEAN_KEYS = Set.of("isGateway", "isDefaultGateway", "forceAddress", "ipMasq",
            "hairpinMode", "promiscMode");

    /** Parses stdin: code 6 when it is not JSON, code 7 when a field has the wrong type or value. */
    public static BridgeConf parse(byte[] stdin) {
        JsonNode root;
        try {
            root = JSON.readTree(stdin);
        } catch (JsonProcessingException e) {
            throw new CniException(CniException.DECODING_FAILURE, "error decoding network config",
                    e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new CniException(CniException.IO_FAILURE, "reading network config: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new CniException(CniException.DECODING_FAILURE, "error decoding network config",
                    "not a JSON object");
        }
        return of((ObjectNode) root);
    }

    public static BridgeConf of(ObjectNode o) {
        String version = text(o, "cniVersion", "");
        String bridge = text(o, "bridge", DEFAULT_BRIDGE);
        if (bridge.isEmpty()) {
            bridge = DEFAULT_BRIDGE;
        }
        try {
            CniEnv.checkIfname(bridge);
        } catch (CniException e) {
            throw new CniException(CniException.INVALID_NETWORK_CONFIG, "invalid bridge name \"" + bridge + "\": "
                    + e.getMessage());
        }
        boolean isDefaultGateway = bool(o, "isDefaultGateway");
        boolean isGateway = bool(o, "isGateway") || isDefaultGateway; // as the reference: one implies the other
        boolean hairpin = bool(o, "hairpinMode");
        boolean promisc = bool(o, "promiscMode");
        if (hairpin && promisc) {
            throw new CniException(CniException.INVALID_NETWORK_CONFIG,
                    "cannot set hairpin mode and promiscuous mode at the same time.");
        }
        int mtu = integer(o, "mtu");
        if (mtu < 0 || mtu > 65535) {
            throw new CniException(CniException.INVALID_NETWORK_CONFIG, "invalid MTU " + mtu);
        }
        int vlan = integer(o, "vlan");
        if (vlan < 0 || vlan > 4094) {
            throw new CniException(CniException.INVALID_NETWORK_CONFIG, "invalid VLAN ID " + vlan
                    + " (must be between 0 and 4094)");
        }
        String ipamType = "";
        JsonNode ipam = o.get("ipam");
        if (ipam != null && !ipam.isNull()) {
            if (!ipam.isObject()) {
                throw badType("ipam", "an object");
            }
            ipamType = text((ObjectNode) ipam, "type", "");
        }
        JsonNode dns = o.get("dns");
        if (dns != null && !dns.isNull() && !dns.isObject()) {
            throw badType("dns", "an object");
        }
        JsonNode prev = o.get("prevResult");
        if (prev != null && !prev.isNull() && !prev.isObject()) {
            throw badType("prevResult", "an object");
        }
        return new BridgeConf(version, text(o, "name", ""), text(o, "type", ""), bridge, isGateway, isDefaultGateway,
                bool(o, "forceAddress"), bool(o, "ipMasq"), mtu, hairpin, promisc, vlan, ipamType,
                dns == null || dns.isNull() ? null : dns, prev == null || prev.isNull() ? null : prev, o);
    }

    /** The valid attachments a GC call names ({@code cni.dev/valid-attachments}), as containerID/ifname pairs. */
    public java.util.List<String[]> validAttachments() {
        java.util.List<String[]> out = new java.util.ArrayList<>();
        JsonNode a = raw.get("cni.dev/valid-attachments");
        if (a == null || a.isNull()) {
            return out;
        }
        if (!a.isArray()) {
            throw badType("cni.dev/valid-attachments", "an array");
        }
        for (Iterator<JsonNode> it = a.elements(); it.hasNext();) {
            JsonNode e = it.next();
            out.add(new String[] {e.path("containerID").asText(""), e.path("ifname").asText("")});
        }
        return out;
    }

    private static String text(ObjectNode o, String key, String dflt) {
        JsonNode n = o.get(key);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isTextual()) {
            throw badType(key, "a string");
        }
        return n.textValue();
    }

    private static boolean bool(ObjectNode o, String key) {
        JsonNode n = o.get(key);
        if (n == null || n.isNull()) {
            return false;
        }
        if (!n.isBoolean()) {
            throw badType(key, "a boolean");
        }
        return n.booleanValue();
    }

    private static int integer(ObjectNode o, String key) {
        JsonNode n = o.get(key);
        if (n == null || n.isNull()) {
            return 0;
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw badType(key, "an integer");
        }
        return n.intValue();
    }

    private static CniException badType(String key, String what) {
        return new CniException(CniException.INVALID_NETWORK_CONFIG, "failed to load netconf: \"" + key
                + "\" must be " + what);
    }
}
