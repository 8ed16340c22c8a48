package dev.jnet.rtnl;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Strict dotted-quad parsing: exactly four decimal parts of 1-3 digits, each at most 255, and
 * never a name lookup (InetAddress.getByName would resolve "localhost" or accept "1.2").
 */
public final class Ipv4Literal {
    private Ipv4Literal() {}

    /** @return the address, or {@code null} when {@code s} is not a dotted quad */
    public static Inet4Address parse(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] b = new byte[4];
        for (int i = 0; i < 4; i++) {
            String p = parts[i];
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) {
                return null;
            }
            int v = Integer.parseInt(p);
            if (v > 255) {
                return null;
            }
            b[i] = (byte) v;
        }
        try {
            return (Inet4Address) InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // four bytes are always an address
        }
    }
}
