package dev.jnet.linux;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Locates the {@code jnet-helper} program (see native/src/main/c/jnet-helper.c) and builds
 * its command lines. The JVM decides the steps; the helper only executes them.
 *
 * <p>Lookup order: system property {@code jnet.helper}, environment {@code JNET_HELPER},
 * then the copy inside this jar, extracted once per content hash into a private per-user
 * directory.
 */
public final class Helper {
    /** Exit status of the helper when a set-up step failed (it printed why). */
    public static final int EXIT_SETUP_FAILED = 125;

    private static volatile Path located;

    private Helper() {}

    /** A command line: the helper, its steps, and a final action. */
    public static final class Command {
        private final List<String> args = new ArrayList<>();

        private Command() {
            args.add(path().toString());
        }

        public Command joinUserns(String path) {
            return add("--userns", path);
        }

        public Command joinNetns(String path) {
            return add("--netns", path);
        }

        public Command unshareUser() {
            return add("--unshare-user");
        }

        /**
         * A new user namespace whose id maps the parent writes (newuidmap(1) needs the child's
         * pid): the helper stops itself (SIGSTOP) until its uid_map and gid_map are written.
         */
        public Command unshareUserUnmapped() {
            return add("--unshare-user-unmapped");
        }

        /** SIGKILL when the parent (thread) that started the helper ends; kept across the exec. */
        public Command dieWithParent() {
            return add("--die-with-parent");
        }

        /** Stop (SIGSTOP) here once; SIGCONT runs the following steps. */
        public Command stop() {
            return add("--stop");
        }

        public Command unshareNet() {
            return add("--unshare-net");
        }

        /** A private mount namespace in which nothing propagates back. */
        public Command unshareMount() {
            return add("--unshare-mount");
        }

        /** A sysfs that describes the current network namespace on /sys. */
        public Command remountSys() {
            return add("--remount-sys");
        }

        /** Bind-mount src on dst; failure is reported on stderr and not fatal (as iproute2). */
        public Command bind(String src, String dst) {
            return add("--bind", src, dst);
        }

        /** Final action: replace the helper by the command. */
        public List<String> exec(List<String> command) {
            if (command.isEmpty()) {
                throw new IllegalArgumentException("no command to execute");
            }
            List<String> out = new ArrayList<>(args);
            out.add("--exec");
            out.addAll(command);
            return out;
        }

        /**
         * Final action: a socket made inside the namespaces the steps entered, taken over by
         * this process (see {@link Helper#takeSocket}).
         */
        public Fd takeSocket(int domain, int type, int protocol) {
            List<String> out = new ArrayList<>(args);
            out.addAll(List.of("--pass-socket", Integer.toString(domain), Integer.toString(type),
                    Integer.toString(protocol)));
            return Helper.takeFd(out, "socket");
        }

        /**
         * Final action: tap device {@code name} in the network namespace the steps entered
         * (created, or attached to when it exists and nobody holds it), its fd taken over by this
         * process. The device lives as long as that fd (unless it was made persistent).
         *
         * @throws HelperException with the helper's line, e.g.
         *     {@code ioctl(TUNSETIFF) for "tap0": Device or resource busy}
         */
        public Fd takeTap(String name) {
            return takeTap(name, false);
        }

        /**
         * {@link #takeTap(String)}, with {@code IFF_VNET_HDR} when {@code vnetHdr}: every frame read
         * or written then starts with a {@code virtio_net_hdr} (checksum and segmentation offload).
         */
        public Fd takeTap(String name, boolean vnetHdr) {
            List<String> out = new ArrayList<>(args);
            out.addAll(List.of("--pass-tap", name));
            if (vnetHdr) {
                out.add("vnet-hdr");
            }
            return Helper.takeFd(out, "tap " + name);
        }

        /** Final action: detach and hold the namespaces; the helper prints the holder's pid. */
        public List<String> hold() {
            List<String> out = new ArrayList<>(args);
            out.add("--hold");
            return out;
        }

        private Command add(String... more) {
            args.addAll(List.of(more));
            return this;
        }
    }

    /**
     * Runs a {@code --pass-socket} or {@code --pass-tap} command line and takes a copy of the fd
     * it made with pidfd_getfd(2): the helper is our child, so we may; it holds the fd until we
     * close its stdin. Sockets and taps keep the network namespace they were made in for life.
     */
    static Fd takeFd(List<String> command, String what) {
        Process p;
        try {
            p = new ProcessBuilder(command).start();
        } catch (IOException e) {
            throw new UncheckedIOException("starting jnet-helper", e);
        }
        try {
            String line = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
                    java.nio.charset.StandardCharsets.US_ASCII)).readLine();
            if (line == null || !line.matches("[0-9]{1,9}")) {
                p.getOutputStream().close();
                String err = new String(p.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
                p.waitFor();
                throw new HelperException(err.isEmpty() ? "jnet-helper exited with status " + p.exitValue() : err);
            }
            try (Fd pidfd = Fd.adopt(Syscalls.pidfdOpen(p.pid()), "pidfd of jnet-helper")) {
                return Fd.adopt(Syscalls.pidfdGetfd(pidfd.get(), Integer.parseInt(line), what + " of jnet-helper"),
                        what);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("talking to jnet-helper", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HelperException("interrupted waiting for jnet-helper");
        } finally {
            try {
                p.getOutputStream().close(); // lets the helper exit
                p.waitFor();
            } catch (IOException | InterruptedException e) {
                p.destroyForcibly();
            }
        }
    }

    /** The helper refused or failed; the message is its one-line explanation. */
    public static final class HelperException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        HelperException(String message) {
            super(message);
        }
    }

    public static Command command() {
        return new Command();
    }

    /** The helper's path, extracting it from the jar on first use if needed. */
    public static Path path() {
        Path p = located;
        if (p == null) {
            synchronized (Helper.class) {
                p = located;
                if (p == null) {
                    p = locate();
                    located = p;
                }
            }
        }
        return p;
    }

    private static Path locate() {
        for (String configured : new String[] {System.getProperty("jnet.helper"), System.getenv("JNET_HELPER")}) {
            if (configured != null && !configured.isEmpty()) {
                Path p = Path.of(configured);
                if (!Files.isExecutable(p)) {
                    throw new IllegalStateException("jnet-helper " + p + " is missing or not executable");
                }
                return p;
            }
        }
        return extract();
    }

    private static Path extract() {
        return extract("jnet-helper");
    }

    /** A program shipped in this package (jnet-helper, jnet-sandbox), extracted once per content hash. */
    static Path extract(String name) {
        byte[] binary;
        try (InputStream in = Helper.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is not in the jnet-native jar; rebuild with a C compiler");
            }
            binary = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + name + " from the jar", e);
        }
        try {
            Path dir = PrivateDirs.runtimeDir().resolve("bin");
            PrivateDirs.ensurePrivate(dir);
            Path target = dir.resolve(name + "-" + sha256(binary).substring(0, 16));
            if (!Files.isExecutable(target)) {
                Path tmp = Files.createTempFile(dir, ".helper", ".tmp");
                Files.write(tmp, binary);
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx------"));
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("extracting " + name, e);
        }
    }

    /**
     * {@code content} as {@code name} in a directory of its own, {@code kind-HASH} below jnet's
     * private directory (a library must keep its file name), written once per content hash.
     */
    static Path extractInto(String kind, String name, byte[] content) throws IOException {
        Path base = PrivateDirs.runtimeDir().resolve("lib");
        PrivateDirs.ensurePrivate(base);
        Path dir = base.resolve(kind + "-" + sha256(content).substring(0, 16));
        Path target = dir.resolve(name);
        if (!Files.isRegularFile(target)) {
            PrivateDirs.ensurePrivate(dir);
            Path tmp = Files.createTempFile(dir, ".lib", ".tmp");
            Files.write(tmp, content);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx------"));
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        return target;
    }

    private static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
