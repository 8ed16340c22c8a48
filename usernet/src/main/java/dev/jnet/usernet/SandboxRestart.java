package dev.jnet.usernet;

import dev.jnet.linux.Fd;
import dev.jnet.linux.SandboxRoot;
import dev.jnet.linux.SandboxStage;
import dev.jnet.linux.SyscallException;
import dev.jnet.linux.Syscalls;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * {@code --enable-sandbox}'s mount namespace, as slirp4netns makes one: this JVM, once it holds
 * the guest's tap (opened and configured in the guest's namespaces, which the sandbox could no
 * longer enter), execs itself again through jnet-sandbox into a minimal root: what the JVM needs
 * read-only, the directory of the resolv.conf the DNS forwarder follows, and read-write the
 * directories where it will make files (the API socket, a capture). The tap's fd crosses the
 * exec and is named by the system property {@value #TAP_PROPERTY}; the pid stays the same.
 */
public final class SandboxRestart {
    /** Set on the re-run JVM: the inherited tap's fd. Its presence means "already in the sandbox". */
    public static final String TAP_PROPERTY = "jnet.usernet.sandbox.tap";

    private SandboxRestart() {}

    /**
     * The tap fd this JVM inherited from its run before the sandbox, if it is that re-run.
     *
     * @throws UsernetException when the property is set but not an fd number (re-running would
     *         only meet it again)
     */
    public static OptionalInt inheritedTap() {
        String v = System.getProperty(TAP_PROPERTY);
        if (v == null) {
            return OptionalInt.empty();
        }
        if (!v.matches("[0-9]{1,9}")) {
            throw new UsernetException(UsernetException.Kind.INVALID_ARGUMENT, TAP_PROPERTY + "=" + v + " is not an fd");
        }
        return OptionalInt.of(Integer.parseInt(v));
    }

    /**
     * The root for this JVM serving {@code config}: {@link SandboxStage#forThisJvm} plus the
     * resolv.conf's directory (read-only: a file replaced by rename is seen) and the directories
     * of {@code writableFiles} (read-write).
     */
    public static SandboxRoot root(UsernetConfig config, Path jnaDir, List<Path> writableFiles) {
        SandboxRoot root = SandboxStage.forThisJvm(jnaDir);
        if (config.dns()) {
            root.readOnlyDirOf(config.resolvConf().toString());
        }
        for (Path f : writableFiles) {
            root.readWriteDirOf(f.toString());
        }
        return root;
    }

    /**
     * Opens the tap as {@code options} say, then replaces this process by the same command in
     * the sandbox; returns only by throwing, with the tap closed again.
     *
     * @param writableFiles files the stack will create (their directories stay writable)
     * @param keepFds       inherited fds the re-run uses (ready fd, exit fd)
     * @throws UsernetException what failed, in one line
     */
    public static void exec(Usernet.Options options, List<Path> writableFiles, List<Integer> keepFds) {
        Fd tap = Usernet.openLink(options);
        try {
            Path jna = SandboxStage.jnaLibraryDir();
            SandboxRoot root = root(options.config(), jna, writableFiles);
            List<String> command = SandboxStage.thisJvmCommand();
            List<String> jvmOptions = new ArrayList<>(List.of("-D" + TAP_PROPERTY + "=" + tap.get()));
            if (System.getProperty("jna.boot.library.path") == null) {
                jvmOptions.add("-Djna.boot.library.path=" + jna);
                jvmOptions.add("-Djna.nosys=true");
            }
            command.addAll(1, jvmOptions);
            List<Integer> keep = new ArrayList<>(keepFds);
            keep.add(tap.get());
            SandboxStage.exec(root, Syscalls.geteuid() != 0, keep, System.getProperty("user.dir"), command);
        } catch (SyscallException | IllegalStateException | java.io.UncheckedIOException e) {
            throw new UsernetException(UsernetException.Kind.RUNTIME, "--enable-sandbox: " + e.getMessage(), e);
        } finally {
            tap.close(); // only reached when the exec failed
        }
    }

    /** The target of the re-run: the inherited tap, and the process to watch if the target was one. */
    public static Usernet.Options inherited(Usernet.Options options, int tapFd) {
        Optional<Long> process = options.target().process();
        return new Usernet.Options(dev.jnet.usernet.guest.GuestTarget.inherited(tapFd, process), options.tapName(),
                false, options.config(), options.exitFd(), options.stack());
    }
}
