package dev.jnet.usernet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Whether an id exists in this process's user namespace, as uid and as gid: {@code setresuid}
 * to an unmapped id fails with EINVAL (a rootless user namespace often maps only its owner).
 */
final class SandboxIds {
    private SandboxIds() {}

    static boolean mapped(long id) {
        return inMap(Path.of("/proc/self/uid_map"), id) && inMap(Path.of("/proc/self/gid_map"), id);
    }

    /** Lines "inside outside count": is {@code id} within one of the inside ranges? */
    static boolean inMap(List<String> lines, long id) {
        for (String line : lines) {
            String[] f = line.strip().split("\\s+");
            if (f.length == 3) {
                long first = Long.parseLong(f[0]);
                long count = Long.parseLong(f[2]);
                if (id >= first && id - first < count) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean inMap(Path map, long id) {
        try {
            return inMap(Files.readAllLines(map), id);
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }
}
