package dev.jnet.linux;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * This build's identity: 16 hex digits hashing every module's main sources and poms, written
 * by the native build (src/main/c/build-id.sh) into this package and compiled into the C
 * programs built beside it. Two processes that must speak the same protocol (the usernetd
 * front end and its daemon) compare it instead of trusting that they come from one build.
 */
public final class BuildId {
    private static volatile String value;

    private BuildId() {}

    /** The identity, read once from this jar. */
    public static String value() {
        String v = value;
        if (v == null) {
            try (InputStream in = BuildId.class.getResourceAsStream("build-id")) {
                if (in == null) {
                    throw new IllegalStateException("build-id is not in the jnet-native jar: rebuild it (mvn package)");
                }
                v = new String(in.readAllBytes(), StandardCharsets.US_ASCII).strip();
            } catch (IOException e) {
                throw new UncheckedIOException("reading build-id from the jnet-native jar", e);
            }
            value = v;
        }
        return v;
    }
}
