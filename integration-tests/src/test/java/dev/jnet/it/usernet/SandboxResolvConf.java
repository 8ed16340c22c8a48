package dev.jnet.it.usernet;

import dev.jnet.it.HostNetns;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The resolv.conf the sandbox's host namespace sees ({@code ip netns exec} binds
 * /etc/netns/HOST/resolv.conf over /etc/resolv.conf), rewritten by a test and put back by
 * {@link #close}.
 */
final class SandboxResolvConf implements AutoCloseable {
    private final Path file;
    private final String original;

    SandboxResolvConf(UsernetSandbox net) throws IOException {
        this.file = HostNetns.ETC_NETNS.resolve(net.hostNetns()).resolve("resolv.conf");
        this.original = Files.readString(file);
    }

    /** What it held before the test. */
    String original() {
        return original;
    }

    void write(String text) throws IOException {
        Files.writeString(file, text);
    }

    @Override
    public void close() throws IOException {
        Files.writeString(file, original);
    }
}
