package dev.jnet.netns;

import dev.jnet.linux.Errno;
import dev.jnet.linux.Fd;
import dev.jnet.linux.Helper;
import dev.jnet.linux.SyscallException;
import dev.jnet.linux.Syscalls;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * iproute2's layout: each namespace is {@code /proc/thread-self/ns/net} of a thread that
 * unshared it, bind-mounted on {@code DIR/NAME}, with DIR a shared mount so the bind is seen
 * from every mount namespace ({@code ip netns exec} creates private ones).
 */
final class RootfulNetnsManager extends AbstractNetnsManager {
    /** Whether this JVM already made {@link #dir} a shared mount point. */
    private volatile boolean sharedMountReady;

    RootfulNetnsManager(Path dir) {
        super(resolveRunDir(dir));
    }

    /** /var/run/netns is /run/netns on most systems: name it as iproute2 prints it. */
    private static Path resolveRunDir(Path dir) {
        Path parent = dir.toAbsolutePath().getParent();
        try {
            return parent.toRealPath().resolve(dir.getFileName());
        } catch (IOException e) {
            return dir.toAbsolutePath();
        }
    }

    @Override
    public boolean isRootless() {
        return false;
    }

    @Override
    protected void createDirectory() throws IOException {
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    }

    @Override
    public NetnsInfo add(String name) {
        Path file = entry(name);
        prepareDirectory();
        createEntryFile(file, "Cannot create namespace file");
        try {
            NetnsThreads.callInNewNamespace(name, () -> {
                bindNamespace("/proc/thread-self/ns/net", file, "/proc/self/ns/net");
                return null;
            });
        } catch (RuntimeException e) {
            removeEntry(file);
            throw e;
        } catch (Exception e) {
            removeEntry(file);
            throw new NetnsException(NetnsException.Kind.SYSTEM, "Cannot create namespace \"" + name + "\": " + e, e);
        }
        return new NetnsInfo(name, file, OptionalInt.empty(), true);
    }

    @Override
    public void attach(String name, long pid) {
        Path file = entry(name);
        if (pid <= 0) {
            throw new NetnsException(NetnsException.Kind.INVALID_ARGUMENT, "Invalid pid \"" + pid + "\"");
        }
        prepareDirectory();
        createEntryFile(file, "Cannot create namespace file");
        String source = "/proc/" + pid + "/ns/net";
        try {
            bindNamespace(source, file, source);
        } catch (RuntimeException e) {
            removeEntry(file);
            throw e;
        }
    }

    /** Bind-mounts a namespace file; on failure the caller removes the entry. */
    private static void bindNamespace(String source, Path file, String sourceForMessage) {
        try {
            Syscalls.mount(source, file.toString(), "none", Syscalls.MS_BIND);
        } catch (SyscallException e) {
            throw new NetnsException(NetnsException.kindOf(e),
                    "Bind " + sourceForMessage + " -> " + file + " failed: " + e.reason(), e);
        }
    }

    private static void createEntryFile(Path file, String what) {
        try {
            Fd.adopt(Syscalls.open(file.toString(), Syscalls.O_RDONLY | Syscalls.O_CREAT | Syscalls.O_EXCL, 0),
                    file.toString()).close();
        } catch (SyscallException e) {
            throw new NetnsException(NetnsException.kindOf(e), what + " \"" + file + "\": " + e.reason(), e);
        }
    }

    /** Undoes a half-made entry: nothing may remain of a failed add. */
    private static void removeEntry(Path file) {
        try {
            Syscalls.umount2(file.toString(), Syscalls.MNT_DETACH);
        } catch (SyscallException ignored) {
            // not mounted
        }
        try {
            Syscalls.unlink(file.toString());
        } catch (SyscallException ignored) {
            // already gone
        }
    }

    @Override
    public void delete(String name) {
        Path file = entry(name);
        try {
            Syscalls.umount2(file.toString(), Syscalls.MNT_DETACH);
        } catch (SyscallException e) {
            // EINVAL: not a mount point (an interrupted add); the unlink below still cleans it
        }
        try {
            Syscalls.unlink(file.toString());
        } catch (SyscallException e) {
            throw new NetnsException(NetnsException.kindOf(e),
                    "Cannot remove namespace file \"" + file + "\": " + e.reason(), e);
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
                entries.add(new NetnsInfo(p.getFileName().toString(), p, OptionalInt.empty(), isNamespaceFile(p)));
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
        // a plain file (an add killed before its mount) holds no namespace to enter
        Path p = dir.resolve(name);
        return isNamespaceFile(p) ? Optional.of(p) : Optional.empty();
    }

    @Override
    public List<String> execCommand(String name, List<String> command) {
        Path p = path(name);
        return execSteps(Helper.command().joinNetns(p.toString()), name, command);
    }

    /**
     * Creates the directory and makes it a shared mount point (bind-mounting it on itself
     * first if it is not a mount point), under an flock on the directory so that parallel
     * jnet processes do not stack bind mounts.
     */
    private void prepareDirectory() {
        if (sharedMountReady) {
            return;
        }
        try {
            createDirectory();
        } catch (IOException e) {
            throw new NetnsException(NetnsException.Kind.SYSTEM, "mkdir " + dir + " failed: " + e.getMessage(), e);
        }
        synchronized (this) {
            if (sharedMountReady) {
                return;
            }
            try (Fd lock = Fd.open(dir.toString(), Syscalls.O_RDONLY | Syscalls.O_DIRECTORY)) {
                Syscalls.flock(lock.get(), Syscalls.LOCK_EX, dir.toString());
                if (!MountInfo.isSharedMountPoint(dir)) {
                    makeShared();
                }
            } catch (SyscallException e) {
                throw new NetnsException(NetnsException.kindOf(e),
                        "mount --make-shared " + dir + " failed: " + e.reason(), e);
            }
            sharedMountReady = true;
        }
    }

    private void makeShared() {
        String d = dir.toString();
        try {
            Syscalls.mount("", d, "none", Syscalls.MS_SHARED | Syscalls.MS_REC);
        } catch (SyscallException e) {
            if (e.errno() != Errno.EINVAL) {
                throw e;
            }
            Syscalls.mount(d, d, "none", Syscalls.MS_BIND | Syscalls.MS_REC);
            Syscalls.mount("", d, "none", Syscalls.MS_SHARED | Syscalls.MS_REC);
        }
    }
}
