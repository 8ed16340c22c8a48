package dev.jnet.it.usernet;

import dev.jnet.it.Proc;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The {@code key=value} lines guest-client.py prints, by key (the last of equal keys wins). */
final class GuestOutput {
    private GuestOutput() {}

    static Map<String, String> fields(Proc.Result r) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : r.stdoutLines()) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                m.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return m;
    }

    /** The lines starting with {@code key=}, without the key. */
    static List<String> all(Proc.Result r, String key) {
        return r.stdoutLines().stream().filter(l -> l.startsWith(key + "=")).map(l -> l.substring(key.length() + 1)).toList();
    }
}
