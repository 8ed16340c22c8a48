package dev.jnet.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Option;

@Command(name = "jnet",
        mixinStandardHelpOptions = true,
        versionProvider = JnetCommand.Version.class,
        description = "Rootless Linux networking toolkit: network namespaces (iproute2-compatible).",
        subcommands = {NetnsCommand.class},
        footer = {"", "Run as root, jnet manages iproute2's namespaces (/run/netns); as another user, "
                + "rootless namespaces under $XDG_RUNTIME_DIR/netns."})
final class JnetCommand implements Runnable {
    @Option(names = {"-j", "-json", "--json"}, description = "Output JSON (as ip -j).")
    boolean json;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = JnetCommand.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            }
            return new String[] {"jnet " + p.getProperty("version", "unknown")};
        }
    }
}
