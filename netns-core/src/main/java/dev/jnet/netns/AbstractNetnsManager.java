package dev.jnet.netns;

import dev.jnet.linux.Fd;
import dev.jnet.linux.Helper;
import dev.jnet.linux.SyscallException;
import dev.jnet.linux.Syscalls;
import dev.jnet.netlink.NetlinkSocket;
import dev.jnet.netlink.NsidRequests;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/** What rootful and rootless managers share: /proc scans, nsids, monitor, exec set-up. */
abstract class AbstractNetnsManager implements NetnsManager {
    private static final Path ETC_NETNS = Path.of("/etc/netns");

    protected final Path dir;

    AbstractNetnsManager(Path dir) {
        this.dir = dir;
    }

    @Override
    public Path directory() {
        return dir;
    }

    /** The file in {@link #directory()} that records {@code name}. */
    protected Path entry(String name) {
        return dir.resolve(NetnsNames.requireValid(name));
    }

    /** The namespace behind {@code name} if it is usable, otherwise empty. */
    protected abstract Optional<Path> usablePath(String name);

    @Override
    public Path path(String name) {
        return usablePath(NetnsNames.requireValid(name)).orElseThrow(() -> new NetnsException(
                NetnsException.Kind.NOT_FOUND,
                "Cannot open network namespace \"" + name + "\": No such file or directory"));
    }

    @Override
    public List<String> identify(long pid) {
        NsIdentity target = NsIdentity.ofProcess(pid).orElseThrow(() -> new NetnsException(
                NetnsException.Kind.NOT_FOUND,
                "Cannot open network namespace of pid " + pid + ": No such process or not permitted"));
        List<String> names = new ArrayList<>();
        for (NetnsInfo info : list()) {
            if (info.usable() && NsIdentity.of(info.path()).filter(target::equals).isPresent()) {
                names.add(info.name());
            }
        }
        return names;
    }

    @Override
    public List<Long> pids(String name) {
        NsIdentity target = NsIdentity.of(path(name)).orElseThrow();
        List<Long> pids = new ArrayList<>();
        try (DirectoryStream<Path> proc = Files.newDirectoryStream(Path.of("/proc"))) {
            for (Path p : proc) {
                String file = p.getFileName().toString();
                if (!file.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                long pid = Long.parseLong(file);
                if (NsIdentity.ofProcess(pid).filter(target::equals).isPresent()) {
                    pids.add(pid);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading /proc", e);
        }
        pids.sort(null);
        return pids;
    }

    @Override
    public void setId(String name, int id) {
        if (id < -1) {
            throw new NetnsException(NetnsException.Kind.INVALID_ARGUMENT, "Invalid \"netnsid\" value \"" + id + "\"");
        }
        Path p = path(name);
        try (Fd ns = Fd.open(p.toString(), Syscalls.O_RDONLY); NetlinkSocket nl = NetlinkSocket.open()) {
            NsidRequests.set(nl, ns.get(), id, name);
        } catch (SyscallException e) {
            throw new NetnsException(NetnsException.kindOf(e), "RTNETLINK answers: " + e.reason(), e);
        }
    }

    /** The nsids of usable entries, looked up over one netlink socket. */
    protected List<NetnsInfo> withNsids(List<NetnsInfo> entries) {
        if (entries.stream().noneMatch(NetnsInfo::usable)) {
            return entries;
        }
        List<NetnsInfo> out = new ArrayList<>(entries.size());
        try (NetlinkSocket nl = NetlinkSocket.open()) {
            for (NetnsInfo e : entries) {
                out.add(e.usable() ? new NetnsInfo(e.name(), e.path(), nsid(nl, e), true) : e);
            }
        }
        return out;
    }

    private static OptionalInt nsid(NetlinkSocket nl, NetnsInfo e) {
        try (Fd ns = Fd.open(e.path().toString(), Syscalls.O_RDONLY)) {
            return NsidRequests.get(nl, ns.get(), e.name());
        } catch (SyscallException ex) {
            return OptionalInt.empty(); // deleted meanwhile, or not ours to ask about
        }
    }

    @Override
    public NetnsMonitor monitor(Consumer<NetnsEvent> listener) {
        try {
            createDirectory();
        } catch (IOException e) {
            throw new NetnsException(NetnsException.Kind.SYSTEM, "mkdir " + dir + " failed: " + e.getMessage(), e);
        }
        return new NetnsMonitor(dir, listener);
    }

    /** Creates {@link #directory()} with the mode this kind of manager wants. */
    protected abstract void createDirectory() throws IOException;

    @Override
    public <T> T call(String name, Callable<T> task) throws Exception {
        return NetnsThreads.call(path(name), name, task);
    }

    @Override
    public Fd openSocket(String name, int domain, int type, int protocol) {
        try {
            return call(name, () -> Fd.adopt(Syscalls.socket(domain, type | SOCK_CLOEXEC, protocol, "in " + name),
                    "socket in " + name));
        } catch (NetnsException | SyscallException e) {
            throw e;
        } catch (Exception e) {
            throw new NetnsException(NetnsException.Kind.SYSTEM, "Cannot open a socket in \"" + name + "\": " + e, e);
        }
    }

    private static final int SOCK_CLOEXEC = 0x80000;

    /** Adds the {@code ip netns exec} mount steps: private mounts, /sys, /etc/netns/NAME files. */
    protected static List<String> execSteps(Helper.Command helper, String name, List<String> command) {
        helper.unshareMount().remountSys();
        Path etc = ETC_NETNS.resolve(name);
        if (Files.isDirectory(etc)) {
            List<Path> files = new ArrayList<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(etc)) {
                ds.forEach(files::add);
            } catch (IOException e) {
                throw new NetnsException(NetnsException.Kind.SYSTEM, "Failed to open directory " + etc + ": " + e.getMessage(), e);
            }
            files.sort(null);
            for (Path f : files) {
                helper.bind(f.toString(), Path.of("/etc").resolve(f.getFileName()).toString());
            }
        }
        return helper.exec(command);
    }

    /** Whether {@code path} is an nsfs file (a live namespace) rather than a plain file. */
    protected static boolean isNamespaceFile(Path path) {
        Optional<NsIdentity> id = NsIdentity.of(path);
        return id.isPresent() && id.get().dev() == NSFS_DEV;
    }

    private static final long NSFS_DEV = NsIdentity.of(Path.of("/proc/self/ns/net")).orElseThrow().dev();
}
