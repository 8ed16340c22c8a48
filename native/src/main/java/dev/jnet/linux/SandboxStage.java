package dev.jnet.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Platform;
import com.sun.jna.StringArray;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Re-runs this JVM inside a minimal root: {@code execve} of jnet-sandbox (same pid), which makes
 * a mount namespace (with a user namespace when not root), pivots into the {@link SandboxRoot}
 * and execs this JVM's command line again, with extra JVM options in front. A multithreaded
 * process cannot do the mount part itself (design.md, "jnet usernet --enable-sandbox").
 */
public final class SandboxStage {
    private SandboxStage() {}

    /** The stage binary: beside jnet-helper when {@code -Djnet.helper} names one, else extracted from the jar. */
    public static Path binary() {
        Path helper = Helper.path();
        Path sibling = helper.resolveSibling("jnet-sandbox");
        if (helper.getFileName().toString().equals("jnet-helper") && Files.isExecutable(sibling)) {
            return sibling;
        }
        return Helper.extract("jnet-sandbox");
    }

    /**
     * What this JVM needs to start again: its JDK, the directories of every file it has mapped
     * (shared libraries, a class archive), its class path, the symlinks on the ELF
     * interpreter's path and the root's top-level symlinks ({@code /lib -> usr/lib}: the loader's
     * cache names libraries through them), JNA's native library (read-only: {@code jnaDir}),
     * {@code /etc} (the JDK's configuration links there; resolv.conf), {@code /proc}, the usual
     * device nodes and a private {@code /tmp} (Netty extracts its native library there).
     */
    public static SandboxRoot forThisJvm(Path jnaDir) {
        SandboxRoot root = new SandboxRoot(SandboxRoot.Lookup.real());
        root.tmpfs("/tmp");
        root.readOnly(System.getProperty("java.home"));
        root.readOnly("/etc");
        root.proc("/proc");
        for (String dev : List.of("/dev/null", "/dev/zero", "/dev/random", "/dev/urandom")) {
            root.device(dev);
        }
        try {
            for (String f : mappedFiles(Files.readAllLines(Path.of("/proc/self/maps")))) {
                root.readOnlyDirOf(f);
            }
            root.linksTo(interpreter(Files.readAllBytes(Path.of("/proc/self/exe"))));
            try (var top = Files.list(Path.of("/"))) {
                top.filter(Files::isSymbolicLink).forEach(p -> root.linksTo(p.toString()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading what this JVM has loaded", e);
        }
        for (String entry : System.getProperty("java.class.path", "").split(":")) {
            if (!entry.isEmpty()) {
                if (Files.isDirectory(Path.of(entry))) {
                    root.readOnly(entry);
                } else {
                    root.readOnlyDirOf(entry);
                }
            }
        }
        root.readOnly(jnaDir.toString());
        return root;
    }

    /**
     * JNA's native library in a directory a sandboxed JVM can load it from read-only: the one
     * {@code jna.boot.library.path} names (the launcher's), else extracted once per content hash
     * into jnet's private directory (JNA would otherwise unpack it to a temporary file at start).
     */
    public static Path jnaLibraryDir() {
        String name = "libjnidispatch.so";
        String configured = System.getProperty("jna.boot.library.path");
        if (configured != null) {
            for (String dir : configured.split(":")) {
                if (!dir.isEmpty() && Files.isRegularFile(Path.of(dir, name))) {
                    return Path.of(dir);
                }
            }
        }
        String resource = "/com/sun/jna/" + Platform.RESOURCE_PREFIX + "/" + name;
        try (InputStream in = com.sun.jna.Native.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is not in the JNA jar");
            }
            return Helper.extractInto("jna", name, in.readAllBytes()).getParent();
        } catch (IOException e) {
            throw new UncheckedIOException("extracting " + name, e);
        }
    }

    /**
     * Files (real paths) this process has mapped privately (libraries, a class archive), from
     * /proc/self/maps lines; shared mappings (the JVM's hsperfdata file, which the new JVM makes
     * anew), deleted files and /dev left out.
     */
    static List<String> mappedFiles(List<String> mapsLines) {
        List<String> out = new ArrayList<>();
        for (String line : mapsLines) {
            // "address perms offset dev inode   path": the path is the sixth field and may hold blanks
            String[] f = line.trim().split("\\s+", 6);
            if (f.length < 6 || !f[5].startsWith("/") || f[5].endsWith(" (deleted)") || f[5].startsWith("/dev/")
                    || f[1].endsWith("s")) {
                continue;
            }
            if (!out.contains(f[5])) {
                out.add(f[5]);
            }
        }
        return out;
    }

    private static final int PT_INTERP = 3;

    /** The ELF interpreter (PT_INTERP) of a 64-bit little-endian executable, e.g. /lib64/ld-linux-x86-64.so.2. */
    static String interpreter(byte[] elf) {
        ByteBuffer b = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
        if (elf.length < 64 || b.getInt(0) != 0x464c457f || elf[4] != 2 || elf[5] != 1) {
            throw new IllegalArgumentException("not a 64-bit little-endian ELF file");
        }
        long phoff = b.getLong(32);
        int phentsize = Short.toUnsignedInt(b.getShort(54));
        int phnum = Short.toUnsignedInt(b.getShort(56));
        for (int i = 0; i < phnum; i++) {
            int ph = Math.toIntExact(phoff + (long) i * phentsize);
            if (b.getInt(ph) == PT_INTERP) {
                int off = Math.toIntExact(b.getLong(ph + 8));
                int size = Math.toIntExact(b.getLong(ph + 32));
                // NUL-terminated
                return new String(elf, off, size - 1, StandardCharsets.US_ASCII);
            }
        }
        throw new IllegalArgumentException("no ELF interpreter (a static executable)");
    }

    /** This JVM's command line, argv[0] replaced by the real path of its executable. */
    public static List<String> thisJvmCommand() {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc/self/cmdline"));
            List<String> argv = new ArrayList<>();
            int start = 0;
            for (int i = 0; i < raw.length; i++) {
                if (raw[i] == 0) {
                    argv.add(new String(raw, start, i - start, StandardCharsets.UTF_8));
                    start = i + 1;
                }
            }
            argv.set(0, Path.of("/proc/self/exe").toRealPath().toString());
            return argv;
        } catch (IOException e) {
            throw new UncheckedIOException("reading this JVM's command line", e);
        }
    }

    /**
     * Replaces this process (same pid) by the stage running {@code command} in {@code root}.
     * Returns only by throwing.
     *
     * @param userns   make a user namespace mapping the caller alone (needed when not root)
     * @param keepFds  descriptors the command inherits (every other one above 2 is closed)
     * @param chdir    the working directory in the new root ("/" if it is not there)
     * @throws SyscallException when execve fails
     */
    public static void exec(SandboxRoot root, boolean userns, List<Integer> keepFds, String chdir, List<String> command) {
        Path stage = binary();
        List<String> argv = new ArrayList<>();
        argv.add(stage.toString());
        if (userns) {
            argv.add("--userns");
        }
        for (int fd : keepFds) {
            argv.add("--keep-fd");
            argv.add(Integer.toString(fd));
            Syscalls.setCloseOnExec(fd, false, "fd " + fd);
        }
        argv.add("--chdir");
        argv.add(chdir);
        argv.addAll(root.stageArguments());
        argv.add("--");
        argv.addAll(command);
        List<String> env = new ArrayList<>();
        for (Map.Entry<String, String> e : System.getenv().entrySet()) {
            env.add(e.getKey() + "=" + e.getValue());
        }
        try {
            LibC.execve(stage.toString(), new StringArray(argv.toArray(new String[0])),
                    new StringArray(env.toArray(new String[0])));
        } catch (LastErrorException e) {
            throw new SyscallException(e.getErrorCode(), "execve", stage.toString());
        }
        throw new IllegalStateException("execve returned");
    }
}
