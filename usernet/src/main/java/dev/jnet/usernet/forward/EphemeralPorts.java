package dev.jnet.usernet.forward;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The host's ephemeral (local) port range, {@code net.ipv4.ip_local_port_range}: ports the
 * kernel hands out to outgoing connections. Forwarding "every port" (pasta's exclusion-only
 * specs) leaves them out, as pasta does, so the host's own connections keep their ports.
 */
public final class EphemeralPorts {
    /** The kernel's default range, when the sysctl cannot be read. */
    static final int[] DEFAULT = {32768, 60999};
    private static final Path SYSCTL = Path.of("/proc/sys/net/ipv4/ip_local_port_range");

    private EphemeralPorts() {}

    /** {@code {first, last}}. */
    public static int[] range() {
        try {
            String[] f = Files.readString(SYSCTL).trim().split("\\s+");
            if (f.length == 2) {
                return new int[] {Integer.parseInt(f[0]), Integer.parseInt(f[1])};
            }
        } catch (IOException | NumberFormatException e) {
            // no /proc or an odd value: the kernel's default
        }
        return DEFAULT.clone();
    }
}
