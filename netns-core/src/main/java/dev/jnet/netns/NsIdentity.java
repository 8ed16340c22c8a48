package dev.jnet.netns;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A namespace's identity: the device and inode of its nsfs file. Two paths name the same
 * namespace exactly when these are equal (how {@code ip netns identify} compares them).
 */
public record NsIdentity(long dev, long ino) {
    /** Identity of the namespace behind {@code path} (following /proc magic links), if readable. */
    public static Optional<NsIdentity> of(Path path) {
        try {
            Object dev = Files.getAttribute(path, "unix:dev");
            Object ino = Files.getAttribute(path, "unix:ino");
            return Optional.of(new NsIdentity(((Number) dev).longValue(), ((Number) ino).longValue()));
        } catch (IOException | SecurityException e) {
            return Optional.empty();
        }
    }

    /** Identity of the network namespace of process {@code pid}, if we may see it. */
    public static Optional<NsIdentity> ofProcess(long pid) {
        return of(Path.of("/proc", Long.toString(pid), "ns", "net"));
    }

    /** Identity of the network namespace the calling thread is in. */
    public static NsIdentity ofCurrentThread() {
        return of(Path.of("/proc/thread-self/ns/net")).orElseThrow();
    }
}
