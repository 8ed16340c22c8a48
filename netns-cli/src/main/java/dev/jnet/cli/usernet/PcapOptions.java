package dev.jnet.cli.usernet;

import dev.jnet.usernet.StackFactory;
import dev.jnet.usernet.link.PacketCapture;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Option;

/**
 * {@code --pcap FILE} and {@code --pcap-size SIZE}, shared by {@code jnet usernet} (and so
 * {@code bin/slirp4netns}) and {@code jnet rootless}: parses, opens the capture, wraps the
 * stack, and says at the end what did not fit.
 */
final class PcapOptions {
    private static final Pattern SIZE = Pattern.compile("([0-9]{1,12})([kKmMgG]?)");

    @Option(names = "--pcap", paramLabel = "FILE",
            description = "Capture every frame of tap0, both directions, into FILE (pcap, for tcpdump -r or Wireshark).")
    String file;

    @Option(names = "--pcap-size", paramLabel = "SIZE",
            description = "Stop capturing before FILE passes SIZE bytes (suffix K, M or G; default 64M).")
    String size;

    private PacketCapture capture;

    /** A relative FILE is taken relative to {@code dir} (the front end's directory, under jnet usernetd). */
    void relativeTo(java.nio.file.Path dir) {
        if (file != null && !file.startsWith("/")) {
            file = dir.resolve(file).toString();
        }
    }

    /** Checks the values without touching the file system. */
    long bound() {
        if (size == null) {
            return PacketCapture.DEFAULT_MAX_BYTES;
        }
        if (file == null) {
            throw new SlirpArgs.Bad("--pcap-size needs --pcap");
        }
        Matcher m = SIZE.matcher(size);
        if (!m.matches()) {
            throw new SlirpArgs.Bad("invalid --pcap-size \"" + size + "\": expected BYTES[K|M|G]");
        }
        int shift = switch (m.group(2).toLowerCase(java.util.Locale.ROOT)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            default -> 0;
        };
        long v = Long.parseLong(m.group(1));
        if (v > (Long.MAX_VALUE >> shift) || (v << shift) < PacketCapture.MIN_MAX_BYTES) {
            throw new SlirpArgs.Bad("invalid --pcap-size \"" + size + "\": at least " + PacketCapture.MIN_MAX_BYTES
                    + " bytes");
        }
        return v << shift;
    }

    /** {@code stack} capturing into the file (created now), or {@code stack} itself without {@code --pcap}. */
    StackFactory open(StackFactory stack) {
        long bound = bound();
        if (file == null) {
            return stack;
        }
        try {
            capture = PacketCapture.open(Path.of(file), bound);
        } catch (IOException e) {
            throw new SlirpArgs.Bad("--pcap " + file + ": " + (e instanceof java.nio.file.NoSuchFileException
                    ? "No such file or directory" : e instanceof java.nio.file.AccessDeniedException
                    ? "Permission denied" : e.toString()));
        }
        return stack.withCapture(capture);
    }

    /** The open capture, or {@code null}. */
    PacketCapture capture() {
        return capture;
    }

    /**
     * Closes the capture (what is queued is written) and, when frames were left out, says so in one
     * line: {@code PREFIX: pcap FILE: stopped at its bound of N bytes; M frames not captured}.
     */
    void close(PrintWriter err, String prefix) {
        PacketCapture c = capture;
        if (c == null) {
            return;
        }
        capture = null;
        c.close();
        PacketCapture.Stats s = c.stats();
        if (s.failure() != null) {
            err.println(prefix + ": pcap " + s.failure());
        } else if (s.limitReached() || s.queueDropped() > 0) {
            err.println(prefix + ": pcap " + file + ": " + (s.limitReached() ? "stopped at its bound of "
                    + bound() + " bytes; " : "") + (s.overLimit() + s.queueDropped()) + " frames not captured ("
                    + s.queueDropped() + " while the writer was behind)");
        }
        err.flush();
    }
}
