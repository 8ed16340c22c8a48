package dev.jnet.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** The per-user runtime directory and private (0700, owned by us) directories below it. */
public final class PrivateDirs {
    private PrivateDirs() {}

    /**
     * {@code $XDG_RUNTIME_DIR}, else {@code /run/user/UID} if it is ours, else
     * {@code /tmp/jnet-UID} (created 0700 and checked to be ours, so another user cannot plant it).
     */
    public static Path runtimeDir() throws IOException {
        String xdg = System.getenv("XDG_RUNTIME_DIR");
        if (xdg != null && !xdg.isEmpty()) {
            return Path.of(xdg);
        }
        int uid = Syscalls.geteuid();
        Path run = Path.of("/run/user/" + uid);
        if (Files.isDirectory(run) && ownedByUs(run)) {
            return run;
        }
        Path tmp = Path.of("/tmp/jnet-" + uid);
        ensurePrivate(tmp);
        return tmp;
    }

    /** Creates {@code dir} 0700 if missing; fails if it exists but is a link or another user's. */
    public static void ensurePrivate(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            try {
                Files.createDirectories(dir.getParent());
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (java.nio.file.FileAlreadyExistsException raced) {
                // another process made it: checked below
            }
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) || !ownedByUs(dir)) {
            throw new IOException(dir + " is not a directory owned by uid " + Syscalls.geteuid());
        }
    }

    private static boolean ownedByUs(Path p) throws IOException {
        return ((Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS)) == Syscalls.geteuid();
    }
}
