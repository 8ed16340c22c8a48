package dev.jnet.cli.usernet;

import dev.jnet.linux.BuildId;
import dev.jnet.linux.Syscalls;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Where {@code jnet usernetd} listens, as the C front end (native/src/main/c/jnet-slirp4netns.c)
 * computes it too: {@code $XDG_RUNTIME_DIR/jnet/} (else {@code /tmp/jnet-UID/}), a 0700
 * directory of the user's, holding {@code usernetd-INODE-BUILD.sock}, {@code .lock} and {@code .log}
 * where INODE names the network namespace the daemon's host side lives in (the guests' traffic
 * leaves from there, so a front end in another host namespace must get a daemon of its own) and
 * BUILD is {@link BuildId}: a front end talks only to a daemon built from the same sources.
 */
record UsernetdPaths(Path dir, Path socket, Path lock, Path log) {
    static UsernetdPaths current() {
        String xdg = System.getenv("XDG_RUNTIME_DIR");
        Path dir = xdg != null && xdg.startsWith("/") && Files.isDirectory(Path.of(xdg))
                ? Path.of(xdg, "jnet") : Path.of("/tmp", "jnet-" + Syscalls.geteuid());
        String ns;
        try {
            String link = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString(); // net:[4026531992]
            ns = link.substring(link.indexOf('[') + 1, link.indexOf(']'));
        } catch (IOException | RuntimeException e) {
            throw new SlirpArgs.Bad("cannot tell this process's network namespace: " + e.getMessage());
        }
        String name = "usernetd-" + ns + "-" + BuildId.value();
        return new UsernetdPaths(dir, dir.resolve(name + ".sock"), dir.resolve(name + ".lock"), dir.resolve(name + ".log"));
    }

    /**
     * Makes the directory (0700) or checks the one there: ours, a directory, no one else may
     * enter it; anything else could let another user connect or plant a socket.
     */
    void ensureDir() {
        try {
            Files.createDirectories(dir.getParent());
            if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                try {
                    Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                } catch (java.nio.file.FileAlreadyExistsException raced) {
                    // another starter made it: checked below
                }
            }
            PosixFileAttributes a = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            int uid = (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            if (!a.isDirectory() || uid != Syscalls.geteuid()
                    || !PosixFilePermissions.toString(a.permissions()).equals("rwx------")) {
                throw new SlirpArgs.Bad(dir + " must be a directory of uid " + Syscalls.geteuid() + " with mode 0700");
            }
        } catch (IOException e) {
            throw new SlirpArgs.Bad("cannot make " + dir + ": " + e.getMessage());
        }
    }
}
