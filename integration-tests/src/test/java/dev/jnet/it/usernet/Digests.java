package dev.jnet.it.usernet;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;

/** SHA-256 in the form {@code sha256sum} prints, and the seeded content the fake servers serve. */
final class Digests {
    private Digests() {}

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    static String hex(MessageDigest finished) {
        return HexFormat.of().formatHex(finished.digest());
    }

    static String sha256Hex(byte[] data) {
        MessageDigest d = sha256();
        d.update(data);
        return hex(d);
    }

    /** {@code length} bytes that depend only on {@code seed}: a download whose digest the test knows. */
    static byte[] seeded(long seed, int length) {
        byte[] b = new byte[length];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }
}
