package dev.jnet.netns;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;

/** The file recording a rootless namespace: which holder process keeps it. */
final class HolderRecord {
    private static final String FORMAT = "jnet-netns-holder-1";

    private HolderRecord() {}

    static String format(HolderProcess holder) {
        return "format=" + FORMAT + "\npid=" + holder.pid() + "\nstarttime=" + holder.startTime() + "\n";
    }

    /**
     * The holder a record names, or empty when the file is not a record we can read.
     *
     * @throws NoSuchFileException when there is no record
     */
    static Optional<HolderProcess> read(Path file) throws IOException {
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(file)) {
            p.load(in);
        }
        if (!FORMAT.equals(p.getProperty("format"))) {
            return Optional.empty();
        }
        try {
            return Optional.of(new HolderProcess(Long.parseLong(p.getProperty("pid", "")),
                    Long.parseLong(p.getProperty("starttime", ""))));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
