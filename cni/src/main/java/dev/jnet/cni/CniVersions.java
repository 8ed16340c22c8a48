package dev.jnet.cni;

import java.util.List;

/** The spec versions jnet-bridge speaks, and what each allows. */
public final class CniVersions {
    /** Oldest first. 0.3.0 is where the result took today's shape (interfaces, ips with an interface index). */
    public static final List<String> SUPPORTED = List.of("0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0");
    public static final String LATEST = "1.1.0";

    private CniVersions() {}

    public static boolean supported(String v) {
        return SUPPORTED.contains(v);
    }

    /** Compares dotted versions numerically (an unparsable part counts as 0). */
    public static int compare(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            int d = Integer.compare(part(x, i), part(y, i));
            if (d != 0) {
                return d;
            }
        }
        return 0;
    }

    private static int part(String[] p, int i) {
        if (i >= p.length) {
            return 0;
        }
        try {
            return Integer.parseInt(p[i]);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Whether config version {@code v} allows command {@code cmd} (CHECK from 0.4.0, STATUS and GC from 1.1.0). */
    public static boolean allows(String v, String cmd) {
        return switch (cmd) {
            case "CHECK" -> compare(v, "0.4.0") >= 0;
            case "STATUS", "GC" -> compare(v, "1.1.0") >= 0;
            default -> true;
        };
    }

    /** Results before 1.0.0 carry "version" in each IP config. */
    public static boolean ipsHaveVersion(String v) {
        return compare(v, "1.0.0") < 0;
    }
}
