package dev.jnet.usernet.uplink;

import dev.jnet.net.IpPrefix;
import dev.jnet.wiring.WiringException;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Properties;

/**
 * {@code uplinks/NAME}: which usernet process serves rootless namespace NAME. Created first as
 * the lock of a connect in progress ({@code state=connecting}), then replaced whole.
 */
final class UplinkRecords {
    private final Path dir;

    UplinkRecords(Path dir) {
        this.dir = dir;
    }

    Path file(String name) {
        return dir.resolve(name);
    }

    /** Creates {@code name}'s file as a lock; false when it exists. */
    boolean lock(String name) {
        try {
            Files.createDirectories(dir);
            Files.writeString(file(name), "state=connecting\n", StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (IOException e) {
            throw new WiringException(WiringException.Kind.SYSTEM, "Cannot create " + file(name) + ": " + e, e);
        }
    }

    /** The recorded uplink, or null (none, or a connect still under way). */
    Uplink read(String name) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file(name), StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new WiringException(WiringException.Kind.SYSTEM, "Cannot read " + file(name) + ": " + e, e);
        }
        if (!"connected".equals(p.getProperty("state"))) {
            return null;
        }
        try {
            return new Uplink(name, Long.parseLong(p.getProperty("pid")), Long.parseLong(p.getProperty("starttime")),
                    IpPrefix.parse(p.getProperty("network")));
        } catch (RuntimeException e) {
            throw new WiringException(WiringException.Kind.SYSTEM, name, "Unreadable state file " + file(name) + ": "
                    + e.getMessage(), e);
        }
    }

    /** Replaces the lock with the record, whole or not at all. */
    void write(Uplink u) {
        Path tmp = dir.resolve("." + u.name() + ".tmp");
        String text = "state=connected\npid=" + u.pid() + "\nstarttime=" + u.startTime() + "\nnetwork=" + u.network() + "\n";
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, file(u.name()), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            delete(tmp);
            throw new WiringException(WiringException.Kind.SYSTEM, "Cannot write " + file(u.name()) + ": " + e, e);
        }
    }

    void delete(String name) {
        delete(file(name));
    }

    private static void delete(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort: a stale record is recognised by its dead process
        }
    }
}
