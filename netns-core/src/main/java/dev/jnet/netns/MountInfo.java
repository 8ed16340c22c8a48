package dev.jnet.netns;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Reads /proc/self/mountinfo (see proc(5)). */
final class MountInfo {
    private MountInfo() {}

    /** Whether {@code dir} is a mount point whose top mount has shared propagation. */
    static boolean isSharedMountPoint(Path dir) {
        try {
            return isSharedMountPoint(Files.readAllLines(Path.of("/proc/self/mountinfo")), dir);
        } catch (IOException e) {
            throw new UncheckedIOException("reading /proc/self/mountinfo", e);
        }
    }

    /** The same, over the lines of a mountinfo file. */
    static boolean isSharedMountPoint(List<String> mountinfo, Path dir) {
        String target = dir.toString();
        boolean shared = false;
        for (String line : mountinfo) {
            String[] f = line.split(" ");
            // fields: id parent major:minor root mountpoint options [optional...] - fstype ...
            if (f.length > 6 && unescape(f[4]).equals(target)) {
                shared = false; // the last (topmost) mount on the point decides
                for (int i = 6; i < f.length && !f[i].equals("-"); i++) {
                    if (f[i].startsWith("shared:")) {
                        shared = true;
                    }
                }
            }
        }
        return shared;
    }

    /** mountinfo escapes space, tab, newline and backslash as octal. */
    private static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length() && isOctal(s, i + 1)) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static boolean isOctal(String s, int from) {
        for (int i = from; i < from + 3; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '7') {
                return false;
            }
        }
        return true;
    }
}
