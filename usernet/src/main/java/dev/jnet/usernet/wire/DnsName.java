package dev.jnet.usernet.wire;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * Domain names in RFC 1035 3.1 wire format, uncompressed: labels of 1..63 printable ASCII
 * characters, 253 characters in all (255 bytes encoded). The form DNS answers use, and the
 * search lists of DHCPv4 option 119 (RFC 3397), DHCPv6 option 24 (RFC 3646) and the router
 * advertisement's DNSSL option (RFC 8106), all of which are concatenated names.
 */
public final class DnsName {
    /** Characters of a name at most (without the trailing dot). */
    public static final int MAX_LENGTH = 253;
    /** Characters of a label at most. */
    public static final int MAX_LABEL = 63;

    private DnsName() {}

    /**
     * {@code name} lower-cased without a trailing dot.
     *
     * @throws IllegalArgumentException naming it, when it is empty, too long, or has an empty,
     *         overlong or non-printable label
     */
    public static String normalize(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        n = n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
        if (n.isEmpty() || n.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("invalid DNS name \"" + name + "\"");
        }
        for (String label : n.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > MAX_LABEL || !label.chars().allMatch(c -> c > 0x20 && c < 0x7F)) {
                throw new IllegalArgumentException("invalid DNS name \"" + name + "\"");
            }
        }
        return n;
    }

    /** A normalized name's wire form: each label behind its length, then the root's 0. */
    public static byte[] encode(String normalized) {
        ByteArrayOutputStream b = new ByteArrayOutputStream(normalized.length() + 2);
        for (String label : normalized.split("\\.")) {
            b.write(label.length());
            b.writeBytes(label.getBytes(StandardCharsets.US_ASCII));
        }
        b.write(0);
        return b.toByteArray();
    }

    /** Normalized names one after the other, as search-list options carry them. */
    public static byte[] encodeAll(List<String> normalized) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (String n : normalized) {
            b.writeBytes(encode(n));
        }
        return b.toByteArray();
    }
}
