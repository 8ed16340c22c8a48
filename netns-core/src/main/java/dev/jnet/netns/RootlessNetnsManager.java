package dev.jnet.netns;

import dev.jnet.linux.Helper;
import dev.jnet.linux.PrivateDirs;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Rootless namespaces. An unprivileged user cannot bind-mount in the initial mount
 * namespace, so each namespace is a user+network namespace kept alive by a holder process
 * (as podman and rootlesskit do), and {@code DIR/NAME} records which process that is.
 * Inside, the caller is uid 0. {@code exec} enters through the holder's /proc files.
 *
 * <p>Adding is a two-phase commit with the holder: the record is linked into place first,
 * and only then is the holder told to stay; if we die before, the holder exits by itself.
 */
final class RootlessNetnsManager extends AbstractNetnsManager {
    RootlessNetnsManager(Path dir) {
        super(dir.toAbsolutePath());
    }

    /** {@code $XDG_RUNTIME_DIR/netns} (or the fallback runtime directory's). */
    static Path defaultDirectory() {
        try {
            return PrivateDirs.runtimeDir().resolve("netns");
        } catch (IOException e) {
            throw new UncheckedIOException("no runtime directory for rootless namespaces", e);
        }
    }

    @Override
    public boolean isRootless() {
        return true;
    }

    @Override
    protected void createDirectory() throws IOException {
        PrivateDirs.ensurePrivate(dir);
    }

    @Override
    public NetnsInfo add(String name) {
        Path record = entry(name);
        try {
            createDirectory();
        } catch (IOException e) {
            throw new NetnsException(NetnsException.Kind.SYSTEM, "mkdir " + dir + " failed: " + e.getMessage(), e);
        }
        if (Files.exists(record)) {
            throw exists(record);
        }
        Process helper = startHolder(Helper.command().unshareUser().unshareNet().hold(), name);
        try {
            HolderProcess holder = readHolder(helper, name);
            link(record, holder);
            commit(helper, name);
            return new NetnsInfo(name, holder.netns(), OptionalInt.empty(), true);
        } finally {
            helper.destroy(); // no-op once committed; otherwise the holder sees EOF and exits
        }
    }

    @Override
    public void attach(String name, long pid) {
        Path record = entry(name);
        if (pid <= 0) {
            throw new NetnsException(NetnsException.Kind.INVALID_ARGUMENT, "Invalid pid \"" + pid + "\"");
        }
        String proc = "/proc/" + pid + "/ns/";
        if (!Files.exists(Path.of(proc + "net"))) {
            throw new NetnsException(NetnsException.Kind.NOT_FOUND,
                    "Bind " + proc + "net -> " + record + " failed: No such file or directory");
        }
        try {
            createDirectory();
        } catch (IOException e) {
            throw new NetnsException(NetnsException.Kind.SYSTEM, "mkdir " + dir + " failed: " + e.getMessage(), e);
        }
        if (Files.exists(record)) {
            throw exists(record);
        }
        Helper.Command cmd = Helper.command();
        if (!sameUserns(Path.of(proc + "user"))) {
            cmd.joinUserns(proc + "user");
        }
        Process helper = startHolder(cmd.joinNetns(proc + "net").hold(), name);
        try {
            link(record, readHolder(helper, name));
            commit(helper, name);
        } finally {
            helper.destroy();
        }
    }

    @Override
    public void delete(String name) {
        Path record = entry(name);
        Optional<HolderProcess> holder;
        try {
            holder = HolderRecord.read(record);
        } catch (NoSuchFileException e) {
            throw new NetnsException(NetnsException.Kind.NOT_FOUND,
                    "Cannot remove namespace file \"" + record + "\": No such file or directory", e);
        } catch (IOException e) {
            throw new NetnsException(NetnsException.Kind.SYSTEM,
                    "Cannot remove namespace file \"" + record + "\": " + e.getMessage(), e);
        }
        holder.ifPresent(HolderProcess::stop);
        try {
            Files.deleteIfExists(record);
        } catch (IOException e) {
            throw new NetnsException(NetnsException.Kind.SYSTEM,
                    "Cannot remove namespace file \"" + record + "\": " + e.getMessage(), e);
        }
    }

    @Override
    public List<NetnsInfo> list() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<NetnsInfo> entries = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (name.startsWith(".")) {
                    continue; // records being written
                }
                Optional<HolderProcess> holder = liveHolder(name);
                entries.add(new NetnsInfo(name, holder.map(HolderProcess::netns).orElse(p), OptionalInt.empty(),
                        holder.isPresent()));
            }
        } catch (IOException e) {
            throw new NetnsException(NetnsException.Kind.SYSTEM, "Failed to open directory " + dir + ": " + e.getMessage(), e);
        }
        entries.sort((a, b) -> a.name().compareTo(b.name()));
        return withNsids(entries);
    }

    @Override
    public boolean exists(String name) {
        return Files.exists(entry(name));
    }

    @Override
    protected Optional<Path> usablePath(String name) {
        return liveHolder(name).map(HolderProcess::netns);
    }

    @Override
    public List<String> execCommand(String name, List<String> command) {
        HolderProcess holder = liveHolder(NetnsNames.requireValid(name)).orElseThrow(() -> new NetnsException(
                NetnsException.Kind.NOT_FOUND,
                "Cannot open network namespace \"" + name + "\": No such file or directory"));
        Helper.Command cmd = Helper.command();
        if (!sameUserns(holder.userns())) {
            cmd.joinUserns(holder.userns().toString());
        }
        return execSteps(cmd.joinNetns(holder.netns().toString()), name, command);
    }

    @Override
    public <T> T call(String name, java.util.concurrent.Callable<T> task) {
        path(name); // a missing namespace reads as such
        throw new NetnsException(NetnsException.Kind.SYSTEM, "Cannot run code inside rootless namespace \"" + name
                + "\": the kernel lets no unprivileged process setns into it; use openSocket");
    }

    @Override
    public dev.jnet.linux.Fd openSocket(String name, int domain, int type, int protocol) {
        HolderProcess holder = liveHolder(NetnsNames.requireValid(name)).orElseThrow(() -> new NetnsException(
                NetnsException.Kind.NOT_FOUND,
                "Cannot open network namespace \"" + name + "\": No such file or directory"));
        Helper.Command cmd = Helper.command();
        if (!sameUserns(holder.userns())) {
            cmd.joinUserns(holder.userns().toString());
        }
        try {
            return cmd.joinNetns(holder.netns().toString()).takeSocket(domain, type, protocol);
        } catch (Helper.HelperException e) {
            throw new NetnsException(NetnsException.Kind.SYSTEM, e.getMessage(), e);
        }
    }

    private Optional<HolderProcess> liveHolder(String name) {
        try {
            return HolderRecord.read(dir.resolve(name)).filter(HolderProcess::alive);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static boolean sameUserns(Path userns) {
        return NsIdentity.of(userns).equals(NsIdentity.of(Path.of("/proc/thread-self/ns/user")));
    }

    private static NetnsException exists(Path record) {
        return new NetnsException(NetnsException.Kind.EXISTS,
                "Cannot create namespace file \"" + record + "\": File exists");
    }

    private static Process startHolder(List<String> command, String name) {
        try {
            return new ProcessBuilder(command).start();
        } catch (IOException e) {
            throw new NetnsException(NetnsException.Kind.SYSTEM, "Cannot start holder for \"" + name + "\": "
                    + e.getMessage(), e);
        }
    }

    /** Reads the pid the helper prints once the namespaces exist, or fails with its error line. */
    private static HolderProcess readHolder(Process helper, String name) {
        try {
            String line = readLine(helper.getInputStream());
            if (line.isEmpty()) {
                String err = new String(helper.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                helper.waitFor();
                throw new NetnsException(NetnsException.Kind.SYSTEM, "Cannot create namespace \"" + name + "\": "
                        + (err.isEmpty() ? "helper exited with status " + helper.exitValue() : err));
            }
            long pid = Long.parseLong(line);
            return HolderProcess.inspect(pid).orElseThrow(() -> new NetnsException(NetnsException.Kind.SYSTEM,
                    "Cannot create namespace \"" + name + "\": holder " + pid + " vanished"));
        } catch (IOException e) {
            throw new NetnsException(NetnsException.Kind.SYSTEM, "Cannot create namespace \"" + name + "\": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NetnsException(NetnsException.Kind.SYSTEM, "Cannot create namespace \"" + name + "\": interrupted", e);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\n' && b.length() < 32) {
            b.append((char) c);
        }
        return b.toString().strip();
    }

    /** Writes the record beside its final name, then links it there: it appears whole or not at all. */
    private void link(Path record, HolderProcess holder) {
        Path tmp = dir.resolve("." + record.getFileName() + "." + holder.pid());
        try {
            Files.writeString(tmp, HolderRecord.format(holder), StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            Files.createLink(record, tmp);
        } catch (FileAlreadyExistsException e) {
            throw exists(record);
        } catch (IOException e) {
            throw new NetnsException(NetnsException.Kind.SYSTEM,
                    "Cannot create namespace file \"" + record + "\": " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // best effort; list() skips dot files
            }
        }
    }

    /** Tells the holder to stay; after this it outlives us. */
    private static void commit(Process helper, String name) {
        try (OutputStream out = helper.getOutputStream()) {
            out.write('c');
            out.flush();
        } catch (IOException e) {
            throw new NetnsException(NetnsException.Kind.SYSTEM, "Cannot create namespace \"" + name + "\": " + e, e);
        }
        try {
            if (helper.waitFor() != 0) {
                throw new NetnsException(NetnsException.Kind.SYSTEM,
                        "Cannot create namespace \"" + name + "\": holder did not confirm");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NetnsException(NetnsException.Kind.SYSTEM, "Cannot create namespace \"" + name + "\": interrupted", e);
        }
    }
}
