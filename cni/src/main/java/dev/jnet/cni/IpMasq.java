package dev.jnet.cni;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Source NAT for a container's addresses (ipMasq), as the reference plugins set it up: one chain
 * per attachment named {@code CNI-} + 24 hex digits of SHA-512(network name + container ID),
 * accepting traffic to the container's own subnet and masquerading the rest (but multicast),
 * jumped to from POSTROUTING for the container's address with comment
 * {@code name: "NET" id: "ID"}. With nftables (nft on the host) it lives in jnet's own table
 * {@code inet jnet-cni}, removed when its last attachment goes; else in iptables' nat table.
 * Teardown needs only the network name and container ID, so DEL works without the namespace.
 */
public abstract class IpMasq {
    static final String TABLE = "jnet-cni";
    private static final List<String> SBIN = List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin", "/usr/local/sbin");

    /** The backend the host has: nftables when nft is installed, else iptables. */
    public static IpMasq forHost() {
        Path nft = which("nft");
        if (nft != null) {
            return new Nft(nft.toString());
        }
        Path ipt = which("iptables");
        Path ip6t = which("ip6tables");
        if (ipt != null) {
            return new Iptables(ipt.toString(), ip6t == null ? null : ip6t.toString());
        }
        throw new CniException(CniException.INTERNAL, "ipMasq needs nft or iptables, and the host has neither");
    }

    static Path which(String name) {
        List<String> dirs = new ArrayList<>();
        String p = System.getenv("PATH");
        if (p != null) {
            dirs.addAll(List.of(p.split(":")));
        }
        dirs.addAll(SBIN);
        for (String d : dirs) {
            if (d.isEmpty()) {
                continue;
            }
            Path f = Path.of(d, name);
            if (Files.isExecutable(f) && !Files.isDirectory(f)) {
                return f;
            }
        }
        return null;
    }

    /** CNI-prefixed chain name, as the reference's utils.FormatChainName. */
    public static String chainName(String network, String containerId) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-512")
                    .digest((network + containerId).getBytes(StandardCharsets.UTF_8));
            StringBuilder s = new StringBuilder("CNI-");
            for (int i = 0; i < 12; i++) {
                s.append(String.format("%02x", d[i]));
            }
            return s.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The comment on the POSTROUTING rule, as the reference's utils.FormatComment. */
    public static String comment(String network, String containerId) {
        return "name: \"" + network + "\" id: \"" + containerId + "\"";
    }

    /** Masquerades traffic from {@code ips} (each with its subnet) leaving other than to its subnet. */
    public abstract void setup(String network, String containerId, List<IpNet> ips);

    /** Removes what {@link #setup} made for this attachment; nothing there is no error. */
    public abstract void teardown(String network, String containerId);

    /** Container IDs of {@code network} that have masquerading rules now. */
    public abstract Set<String> containerIds(String network);

    // ------------------------------------------------------------------ nftables

    static final class Nft extends IpMasq {
        private final String nft;

        Nft(String nft) {
            this.nft = nft;
        }

        @Override
        public void setup(String network, String containerId, List<IpNet> ips) {
            String chain = chainName(network, containerId);
            StringBuilder s = new StringBuilder();
            s.append("add table inet ").append(TABLE).append('\n');
            s.append("add chain inet ").append(TABLE)
                    .append(" postrouting { type nat hook postrouting priority srcnat; policy accept; }\n");
            s.append("add chain inet ").append(TABLE).append(' ').append(chain).append('\n');
            s.append("flush chain inet ").append(TABLE).append(' ').append(chain).append('\n');
            for (IpNet ip : ips) {
                String fam = ip.isV4() ? "ip" : "ip6";
                s.append("add rule inet ").append(TABLE).append(' ').append(chain).append(' ').append(fam)
                        .append(" daddr ").append(ip.network()).append(" accept\n");
                s.append("add rule inet ").append(TABLE).append(' ').append(chain).append(' ').append(fam)
                        .append(" daddr != ").append(ip.isV4() ? "224.0.0.0/4" : "ff00::/8").append(" masquerade\n");
            }
            for (IpNet ip : ips) {
                s.append("add rule inet ").append(TABLE).append(" postrouting ").append(ip.isV4() ? "ip" : "ip6")
                        .append(" saddr ").append(IpNet.str(ip.address())).append(" jump ").append(chain)
                        .append(" comment \"").append(comment(network, containerId).replace("\"", "'")).append("\"\n");
            }
            run(List.of(nft, "-f", "-"), s.toString(), true);
        }

        @Override
        public void teardown(String network, String containerId) {
            String chain = chainName(network, containerId);
            JsonNode rules = listPostrouting();
            if (rules == null) {
                return; // no table: nothing of ours
            }
            StringBuilder s = new StringBuilder();
            int remaining = 0;
            boolean chainExists = false;
            for (JsonNode e : rules.path("nftables")) {
                JsonNode rule = e.get("rule");
                if (rule == null) {
                    JsonNode c = e.get("chain");
                    if (c != null && chain.equals(c.path("name").asText())) {
                        chainExists = true;
                    }
                    continue;
                }
                if (!"postrouting".equals(rule.path("chain").asText())) {
                    continue;
                }
                if (jumpsTo(rule, chain)) {
                    s.append("delete rule inet ").append(TABLE).append(" postrouting handle ")
                            .append(rule.path("handle").asLong()).append('\n');
                } else {
                    remaining++;
                }
            }
            if (remaining == 0) {
                s.append("delete table inet ").append(TABLE).append('\n');
            } else if (chainExists) {
                s.append("flush chain inet ").append(TABLE).append(' ').append(chain).append('\n');
                s.append("delete chain inet ").append(TABLE).append(' ').append(chain).append('\n');
            }
            if (s.length() > 0) {
                run(List.of(nft, "-f", "-"), s.toString(), true);
            }
        }

        @Override
        public Set<String> containerIds(String network) {
            Set<String> out = new HashSet<>();
            JsonNode rules = listPostrouting();
            if (rules == null) {
                return out;
            }
            String prefix = "name: '" + network + "' id: '";
            for (JsonNode e : rules.path("nftables")) {
                JsonNode rule = e.get("rule");
                if (rule == null) {
                    continue;
                }
                String c = rule.path("comment").asText("");
                if (c.startsWith(prefix) && c.endsWith("'")) {
                    out.add(c.substring(prefix.length(), c.length() - 1));
                }
            }
            return out;
        }

        /** The table as JSON (chains and rules with handles), or null when it does not exist. */
        private JsonNode listPostrouting() {
            String out = run(List.of(nft, "-j", "-a", "list", "table", "inet", TABLE), null, false);
            if (out == null) {
                return null;
            }
            try {
                return BridgeConf.JSON.readTree(out);
            } catch (IOException e) {
                throw new CniException(CniException.INTERNAL, "cannot read nft's listing of table " + TABLE);
            }
        }

        private static boolean jumpsTo(JsonNode rule, String chain) {
            for (JsonNode x : rule.path("expr")) {
                JsonNode j = x.get("jump");
                if (j != null && chain.equals(j.path("target").asText())) {
                    return true;
                }
            }
            return false;
        }
    }

    // ------------------------------------------------------------------ iptables

    static final class Iptables extends IpMasq {
        private final String ipt;
        private final String ip6t;

        Iptables(String ipt, String ip6t) {
            this.ipt = ipt;
            this.ip6t = ip6t;
        }

        private String bin(boolean v4) {
            if (!v4 && ip6t == null) {
                throw new CniException(CniException.INTERNAL, "ipMasq for IPv6 needs ip6tables");
            }
            return v4 ? ipt : ip6t;
        }

        @Override
        public void setup(String network, String containerId, List<IpNet> ips) {
            String chain = chainName(network, containerId);
            String comment = comment(network, containerId);
            for (IpNet ip : ips) {
                String b = bin(ip.isV4());
                run(List.of(b, "-w", "-t", "nat", "-N", chain), null, false); // exists already: fine
                run(List.of(b, "-w", "-t", "nat", "-A", chain, "-d", ip.network().toString(), "-j", "ACCEPT",
                        "-m", "comment", "--comment", comment), null, true);
                run(List.of(b, "-w", "-t", "nat", "-A", chain, "!", "-d", ip.isV4() ? "224.0.0.0/4" : "ff00::/8",
                        "-j", "MASQUERADE", "-m", "comment", "--comment", comment), null, true);
                run(List.of(b, "-w", "-t", "nat", "-A", "POSTROUTING", "-s", IpNet.str(ip.address()), "-j", chain,
                        "-m", "comment", "--comment", comment), null, true);
            }
        }

        @Override
        public void teardown(String network, String containerId) {
            String chain = chainName(network, containerId);
            for (String b : ip6t == null ? List.of(ipt) : List.of(ipt, ip6t)) {
                String rules = run(List.of(b, "-w", "-t", "nat", "-S", "POSTROUTING"), null, false);
                if (rules != null) {
                    for (String line : rules.split("\n")) {
                        if (line.startsWith("-A POSTROUTING ") && line.contains(" -j " + chain)) {
                            List<String> del = new ArrayList<>(List.of(b, "-w", "-t", "nat", "-D", "POSTROUTING"));
                            del.addAll(splitRule(line.substring("-A POSTROUTING ".length())));
                            run(del, null, false);
                        }
                    }
                }
                run(List.of(b, "-w", "-t", "nat", "-F", chain), null, false);
                run(List.of(b, "-w", "-t", "nat", "-X", chain), null, false);
            }
        }

        @Override
        public Set<String> containerIds(String network) {
            Set<String> out = new HashSet<>();
            String rules = run(List.of(ipt, "-w", "-t", "nat", "-S", "POSTROUTING"), null, false);
            String marker = "--comment \"name: \\\"" + network + "\\\" id: \\\"";
            if (rules != null) {
                for (String line : rules.split("\n")) {
                    int i = line.indexOf(marker);
                    if (i >= 0) {
                        String rest = line.substring(i + marker.length());
                        int end = rest.indexOf("\\\"");
                        if (end > 0) {
                            out.add(rest.substring(0, end));
                        }
                    }
                }
            }
            return out;
        }

        /** iptables -S words, with its double-quoted (backslash-escaped) arguments as one word. */
        static List<String> splitRule(String line) {
            List<String> out = new ArrayList<>();
            StringBuilder w = new StringBuilder();
            boolean quoted = false;
            boolean any = false;
            for (int i = 0; i < line.length(); i++) {
                char c = line.charAt(i);
                if (quoted && c == '\\' && i + 1 < line.length()) {
                    w.append(line.charAt(++i));
                } else if (c == '"') {
                    quoted = !quoted;
                    any = true;
                } else if (c == ' ' && !quoted) {
                    if (any || w.length() > 0) {
                        out.add(w.toString());
                    }
                    w.setLength(0);
                    any = false;
                } else {
                    w.append(c);
                }
            }
            if (any || w.length() > 0) {
                out.add(w.toString());
            }
            return out;
        }
    }

    /**
     * Runs a firewall command: its stdout, or null when it failed and {@code must} is false; a
     * failure that must not happen is code 999 with the command's stderr.
     */
    static String run(List<String> cmd, String stdin, boolean must) {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new CniException(CniException.INTERNAL, "cannot run " + cmd.get(0) + ": " + e.getMessage());
        }
        try {
            try (OutputStream o = p.getOutputStream()) {
                if (stdin != null) {
                    o.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Thread t = new Thread(() -> {
                try {
                    p.getErrorStream().transferTo(err);
                } catch (IOException ignored) {
                    // the status tells
                }
            });
            t.setDaemon(true);
            t.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new CniException(CniException.TRY_AGAIN_LATER, String.join(" ", cmd) + " did not finish");
            }
            t.join(1000);
            if (p.exitValue() != 0) {
                if (must) {
                    throw new CniException(CniException.INTERNAL, "failed to set up IP masquerading: "
                            + String.join(" ", cmd.subList(0, Math.min(cmd.size(), 6))) + ": "
                            + err.toString(StandardCharsets.UTF_8).strip(), stdin == null ? "" : stdin);
                }
                return null;
            }
            return out;
        } catch (IOException e) {
            throw new CniException(CniException.INTERNAL, "running " + cmd.get(0) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CniException(CniException.INTERNAL, "interrupted running " + cmd.get(0));
        }
    }
}
