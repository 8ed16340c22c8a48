package dev.jnet.net;

/** IPv6 text: RFC 4291 section 2.2 forms in, RFC 5952 out. */
final class Ipv6Text {
    private Ipv6Text() {}

    /** The 16 bytes of {@code text}; errors name it as a {@code what}. */
    static byte[] parse(String text, String what) {
        if (text.isEmpty()) {
            throw new InvalidAddressException(what, text, "empty");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '%') {
                throw new InvalidAddressException(what, text, "a zone (\"" + text.substring(i) + "\") is not accepted");
            }
            if (c != ':' && c != '.' && Character.digit(c, 16) < 0) {
                throw new InvalidAddressException(what, text, "character " + describe(c) + " is not allowed");
            }
        }
        int gap = text.indexOf("::");
        if (gap >= 0 && text.indexOf("::", gap + 1) >= 0) {
            throw new InvalidAddressException(what, text, "more than one \"::\"");
        }
        int[] groups = new int[8];
        int head = groups(gap < 0 ? text : text.substring(0, gap), gap < 0, groups, text, what);
        if (gap < 0) {
            if (head != 8) {
                throw new InvalidAddressException(what, text, head + " groups, an IPv6 address without \"::\" has 8");
            }
        } else {
            int[] tail = new int[8];
            int n = groups(text.substring(gap + 2), true, tail, text, what);
            if (head + n > 7) {
                throw new InvalidAddressException(what, text, (head + n) + " groups and a \"::\": at most 7 fit");
            }
            System.arraycopy(tail, 0, groups, 8 - n, n);
        }
        byte[] out = new byte[16];
        for (int i = 0; i < 8; i++) {
            out[2 * i] = (byte) (groups[i] >>> 8);
            out[2 * i + 1] = (byte) groups[i];
        }
        return out;
    }

    /**
     * Parses the ':'-separated groups of {@code s} into {@code out}; a dotted quad
     * may end it when {@code atEnd} (it is the end of the text). Returns how many groups.
     */
    private static int groups(String s, boolean atEnd, int[] out, String text, String what) {
        if (s.isEmpty()) {
            return 0;
        }
        String[] parts = s.split(":", -1);
        int n = 0;
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            if (p.isEmpty()) {
                throw new InvalidAddressException(what, text, "an empty group (a lone \":\" at the start or end, or \":::\")");
            }
            if (p.indexOf('.') >= 0) {
                if (!atEnd || i != parts.length - 1) {
                    throw new InvalidAddressException(what, text, "a dotted quad is allowed only as the last 32 bits");
                }
                if (n + 2 > out.length) {
                    throw new InvalidAddressException(what, text, "too many groups");
                }
                byte[] v4 = IpAddress.parseIpv4(p, text, what);
                out[n++] = (v4[0] & 0xff) << 8 | (v4[1] & 0xff);
                out[n++] = (v4[2] & 0xff) << 8 | (v4[3] & 0xff);
                continue;
            }
            if (p.length() > 4) {
                throw new InvalidAddressException(what, text, "group \"" + p + "\" has more than 4 hex digits");
            }
            if (n == out.length) {
                throw new InvalidAddressException(what, text, "more than 8 groups");
            }
            out[n++] = Integer.parseInt(p, 16);
        }
        return n;
    }

    private static String describe(char c) {
        return c > ' ' && c < 0x7f ? "'" + c + "'" : String.format("U+%04X", (int) c);
    }

    /** RFC 5952: lower case, no leading zeros, the first longest run of 2+ zero groups as "::". */
    static String format(byte[] b) {
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = (b[2 * i] & 0xff) << 8 | (b[2 * i + 1] & 0xff);
        }
        if (g[0] == 0 && g[1] == 0 && g[2] == 0 && g[3] == 0 && g[4] == 0 && g[5] == 0xffff) {
            return "::ffff:" + (b[12] & 0xff) + "." + (b[13] & 0xff) + "." + (b[14] & 0xff) + "." + (b[15] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 1; // a single zero group is not compressed
        for (int i = 0; i < 8;) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }
}
