package dev.jnet.cni;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The CNI_* environment of one call, checked as the reference plugins' skel checks it: what
 * each command requires, container ID and interface name syntax (error code 4).
 */
public record CniEnv(String command, String containerId, String netns, String ifname, String args, List<String> path,
        Map<String, String> all) {
    private static final Pattern CONTAINER_ID = Pattern.compile("^[a-zA-Z0-9][a-zA-Z0-9_.\\-]*$");

    public static final List<String> COMMANDS = List.of("ADD", "DEL", "CHECK", "VERSION", "STATUS", "GC");

    public static CniEnv from(Map<String, String> env) {
        String cmd = env.get("CNI_COMMAND");
        if (cmd == null || cmd.isEmpty()) {
            throw new CniException(CniException.INVALID_ENV, "required env variables [CNI_COMMAND] missing");
        }
        if (!COMMANDS.contains(cmd)) {
            throw new CniException(CniException.INVALID_ENV, "unknown CNI_COMMAND: " + cmd);
        }
        List<String> missing = new ArrayList<>();
        boolean attachment = cmd.equals("ADD") || cmd.equals("DEL") || cmd.equals("CHECK");
        if (attachment) {
            need(env, "CNI_CONTAINERID", missing);
            if (!cmd.equals("DEL")) {
                need(env, "CNI_NETNS", missing);
            }
            need(env, "CNI_IFNAME", missing);
        }
        if (!cmd.equals("VERSION")) {
            need(env, "CNI_PATH", missing);
        }
        if (!missing.isEmpty()) {
            throw new CniException(CniException.INVALID_ENV,
                    "required env variables [" + String.join(",", missing) + "] missing");
        }
        String id = env.get("CNI_CONTAINERID");
        if (attachment && !CONTAINER_ID.matcher(id).matches()) {
            throw new CniException(CniException.INVALID_ENV, "invalid characters in containerID", id);
        }
        String ifname = env.get("CNI_IFNAME");
        if (attachment) {
            checkIfname(ifname);
        }
        List<String> path = new ArrayList<>();
        String p = env.getOrDefault("CNI_PATH", "");
        for (String d : p.split(":")) {
            if (!d.isEmpty()) {
                path.add(d);
            }
        }
        return new CniEnv(cmd, id, emptyToNull(env.get("CNI_NETNS")), ifname, env.getOrDefault("CNI_ARGS", ""), path,
                new LinkedHashMap<>(env));
    }

    /** The kernel's rules for a link name, as libcni's ValidateInterfaceName. */
    static void checkIfname(String n) {
        String why = null;
        if (n.length() > 15) {
            why = "interface name is too long";
        } else if (n.equals(".") || n.equals("..")) {
            why = "interface name is . or ..";
        } else {
            for (int i = 0; i < n.length(); i++) {
                char c = n.charAt(i);
                if (c == '/' || c == ':' || Character.isWhitespace(c)) {
                    why = "interface name contains / or : or whitespace characters";
                    break;
                }
            }
        }
        if (why != null) {
            throw new CniException(CniException.INVALID_ENV, why, n);
        }
    }

    private static void need(Map<String, String> env, String key, List<String> missing) {
        String v = env.get(key);
        if (v == null || v.isEmpty()) {
            missing.add(key);
        }
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
