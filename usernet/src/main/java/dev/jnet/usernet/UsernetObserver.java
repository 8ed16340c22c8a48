package dev.jnet.usernet;

import dev.jnet.usernet.api.ApiServer;
import dev.jnet.usernet.link.PacketCapture;
import dev.jnet.usernet.link.TapLink;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the API's {@code list_connections} and {@code get_stats} answer for one {@link Usernet}:
 * its flows, and its counters with the link's, the capture's (when one runs), memory and fds.
 * Called on the usernet's event loop (where the API socket is served).
 */
public final class UsernetObserver implements ApiServer.Observer {
    private final Usernet usernet;
    private final PacketCapture capture;

    /** @param capture the run's packet capture, or {@code null} */
    public UsernetObserver(Usernet usernet, PacketCapture capture) {
        this.usernet = usernet;
        this.capture = capture;
    }

    @Override
    public List<FlowInfo> flows() {
        return usernet.flows().orElse(List.of());
    }

    @Override
    public Map<String, Long> stats() {
        Map<String, Long> m = new LinkedHashMap<>();
        usernet.stats().ifPresent(s -> m.putAll(s.asMap()));
        TapLink link = usernet.link();
        if (link != null) {
            m.put("link_frames_in", link.framesIn());
            m.put("link_empty_reads", link.emptyReads());
            m.put("link_frames_out", link.framesOut());
            m.put("link_tx_dropped", link.txDropped());
            m.put("link_tx_errors", link.txErrors());
            m.put("link_vnet_header", (long) link.vnetHeaderLength());
            m.put("link_gso_frames_in", link.gsoFramesIn());
            m.put("link_gso_frames_out", link.gsoFramesOut());
            m.put("link_checksums_completed", link.checksumsCompleted());
            m.put("link_holds", link.holds());
        }
        if (capture != null) {
            PacketCapture.Stats p = capture.stats();
            m.put("pcap_frames", p.captured());
            m.put("pcap_bytes", p.bytes());
            m.put("pcap_queue_dropped", p.queueDropped());
            m.put("pcap_over_limit", p.overLimit());
        }
        Runtime rt = Runtime.getRuntime();
        m.put("heap_used_bytes", rt.totalMemory() - rt.freeMemory());
        m.put("rss_bytes", rssBytes());
        // the SIGUSR1 stats line's process figures, under the same names
        ProcessStats ps = usernet.processStats();
        m.put("direct_memory", ps.directMemory());
        m.put("fds_open", (long) ps.fdsOpen());
        m.put("fd_limit", ps.fdLimit());
        return m;
    }

    /** VmRSS of /proc/self/status in bytes; -1 when unreadable. */
    static long rssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // below
        }
        return -1;
    }
}
