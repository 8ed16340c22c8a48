package dev.jnet.wiring;

import dev.jnet.net.InvalidAddressException;
import dev.jnet.net.IpPrefix;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * The state files of {@link NetnsConnector}: {@code connect/NAME} for each connection (written
 * whole or not at all; created first as the lock of a connect in progress) and
 * {@code bridges/BR} for what connect made on a bridge.
 */
final class ConnectionRecords {
    /** What connect made on a bridge: the bridge itself, or the addresses it added (null when none). */
    record BridgeRecord(boolean created, IpPrefix address, IpPrefix address6) {}

    private final Path stateDir;
    private final Path connectDir;
    private final Path bridgeDir;

    ConnectionRecords(Path stateDir) {
        this.stateDir = stateDir;
        this.connectDir = stateDir.resolve("connect");
        this.bridgeDir = stateDir.resolve("bridges");
    }

    /** The state directory these records live under. */
    Path dir() {
        return stateDir;
    }

    Path file(String name) {
        return connectDir.resolve(name);
    }

    boolean exists(String name) {
        return Files.exists(file(name));
    }

    /** Creates {@code name}'s file as a lock; false when it exists (connected, or a connect under way). */
    boolean lock(String name) {
        try {
            Files.createDirectories(connectDir);
            Files.createDirectories(bridgeDir);
        } catch (IOException e) {
            throw new WiringException(WiringException.Kind.SYSTEM, "Cannot create " + connectDir + ": " + e, e);
        }
        Path state = file(name);
        try {
            Files.writeString(state, "state=connecting\n", StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + state, e);
        }
    }

    void delete(String name) {
        deleteQuietly(file(name));
    }

    /** The recorded connection of {@code name}, or null. */
    Connection read(String name) {
        Properties p = load(file(name));
        if (p == null || p.getProperty("host_ifname") == null) {
            return null;
        }
        try {
            return new Connection(name, p.getProperty("host_ifname"), p.getProperty("ns_ifname"),
                    prefix(p, "host_address"), prefix(p, "ns_address"), p.getProperty("bridge"),
                    prefix(p, "host_address6"), prefix(p, "ns_address6"));
        } catch (InvalidAddressException e) {
            throw new WiringException(WiringException.Kind.SYSTEM, name,
                    "Unreadable state file " + file(name) + ": " + e.getMessage(), e);
        }
    }

    /** Every recorded connection. */
    List<Connection> all() {
        List<Connection> out = new ArrayList<>();
        if (!Files.isDirectory(connectDir)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(connectDir)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                Connection c = n.startsWith(".") ? null : read(n);
                if (c != null) {
                    out.add(c);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("listing " + connectDir, e);
        }
        return out;
    }

    void write(Connection c) {
        Properties p = new Properties();
        p.setProperty("state", "connected");
        p.setProperty("host_ifname", c.hostIfname());
        p.setProperty("ns_ifname", c.nsIfname());
        put(p, "host_address", c.hostAddress());
        put(p, "ns_address", c.nsAddress());
        if (c.bridge() != null) {
            p.setProperty("bridge", c.bridge());
        }
        put(p, "host_address6", c.hostAddress6());
        put(p, "ns_address6", c.nsAddress6());
        store(file(c.name()), p);
    }

    /** Records {@code r} for {@code bridge} unless a connect recorded it already (it made or first changed it). */
    void writeBridge(String bridge, BridgeRecord r) {
        Path f = bridgeDir.resolve(bridge);
        if (Files.exists(f)) {
            return;
        }
        Properties p = new Properties();
        p.setProperty("created", Boolean.toString(r.created()));
        put(p, "address", r.address());
        put(p, "address6", r.address6());
        store(f, p);
    }

    /** What connect recorded for {@code bridge}, or null. */
    BridgeRecord readBridge(String bridge) {
        Properties p = load(bridgeDir.resolve(bridge));
        if (p == null) {
            return null;
        }
        try {
            return new BridgeRecord(Boolean.parseBoolean(p.getProperty("created")), prefix(p, "address"),
                    prefix(p, "address6"));
        } catch (InvalidAddressException e) {
            throw new WiringException(WiringException.Kind.SYSTEM,
                    "Unreadable state file " + bridgeDir.resolve(bridge) + ": " + e.getMessage(), e);
        }
    }

    void deleteBridge(String bridge) {
        deleteQuietly(bridgeDir.resolve(bridge));
    }

    private static IpPrefix prefix(Properties p, String key) {
        String v = p.getProperty(key);
        return v == null ? null : IpPrefix.parse(v);
    }

    private static void put(Properties p, String key, IpPrefix v) {
        if (v != null) {
            p.setProperty(key, v.toString());
        }
    }

    /** Writes whole or not at all: a temporary file renamed over the target. */
    private static void store(Path f, Properties p) {
        Path tmp = f.resolveSibling("." + f.getFileName() + ".tmp");
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            p.store(w, "jnet netns connect");
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + tmp, e);
        }
        try {
            Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw new UncheckedIOException("renaming " + tmp, e);
        }
    }

    private static Properties load(Path f) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
            p.load(r);
            return p;
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + f, e);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort
        }
    }
}
