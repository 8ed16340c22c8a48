package dev.jnet.linux;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@link Sandbox#dropCapabilities} and {@link Sandbox#noNewPrivs} on a thread of their own
 * (both are per thread: the test JVM's other threads keep theirs): afterwards the kernel shows
 * that thread with no capabilities and no_new_privs. As root the bounding set is emptied too.
 */
class SandboxCapabilitiesTest {
    @Test
    void aThreadDropsEveryCapabilityAndSetsNoNewPrivs() throws Exception {
        AtomicReference<Map<String, String>> before = new AtomicReference<>();
        AtomicReference<Map<String, String>> after = new AtomicReference<>();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                before.set(status());
                Sandbox.dropCapabilities();
                Sandbox.noNewPrivs();
                after.set(status());
            } catch (Throwable e) {
                failed.set(e);
            }
        }, "sandboxed");
        t.start();
        t.join(10_000);
        assertThat(failed.get()).isNull();
        Map<String, String> s = after.get();
        for (String set : new String[] {"CapInh", "CapPrm", "CapEff", "CapAmb"}) {
            assertThat(s.get(set)).as(set).isEqualTo("0000000000000000");
        }
        assertThat(s.get("NoNewPrivs")).isEqualTo("1");
        if (!before.get().get("CapEff").equals("0000000000000000")) { // root (CAP_SETPCAP): the bounding set goes too
            assertThat(s.get("CapBnd")).isEqualTo("0000000000000000");
        }
        // this thread is untouched
        assertThat(status().get("CapBnd")).isEqualTo(before.get().get("CapBnd"));
    }

    /** As root: a thread prepared to keep CAP_NET_BIND_SERVICE ends with it alone (bounding set too). */
    @Test
    void aPreparedThreadKeepsOnlyTheCapabilityItNames() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Syscalls.geteuid() == 0, "needs root");
        AtomicReference<Map<String, String>> after = new AtomicReference<>();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                Sandbox.prepareToKeep(Sandbox.CAP_NET_BIND_SERVICE);
                Sandbox.keepOnly(Sandbox.CAP_NET_BIND_SERVICE);
                after.set(status());
            } catch (Throwable e) {
                failed.set(e);
            }
        }, "keeps-one");
        t.start();
        t.join(10_000);
        assertThat(failed.get()).isNull();
        Map<String, String> s = after.get();
        assertThat(s.get("CapEff")).isEqualTo("0000000000000400");
        assertThat(s.get("CapPrm")).isEqualTo("0000000000000400");
        assertThat(s.get("CapBnd")).isEqualTo("0000000000000400");
        assertThat(s.get("CapInh")).isEqualTo("0000000000000000");
        assertThat(s.get("CapAmb")).isEqualTo("0000000000000000");
    }

    private static Map<String, String> status() throws Exception {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of("/proc/thread-self/status"))) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                m.put(line.substring(0, colon), line.substring(colon + 1).strip());
            }
        }
        return m;
    }
}
