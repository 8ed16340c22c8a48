package dev.jnet.usernet.api;

import dev.jnet.usernet.FlowInfo;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A client of the API socket ({@code jnet usernet top}): one request per connection, as the
 * server expects, and the reply read whole (bounded by {@link #MAX_REPLY}).
 */
public final class ApiClient {
    /** The longest reply read (a full connection table is about 200 bytes per flow). */
    public static final int MAX_REPLY = 16 << 20;

    private final Path socket;

    public ApiClient(Path socket) {
        this.socket = socket;
    }

    /** {@code list_connections}. @throws IOException when the socket cannot be reached or the reply is not one */
    public List<FlowInfo> listConnections() throws IOException {
        Map<?, ?> ret = call("list_connections");
        List<FlowInfo> out = new ArrayList<>();
        if (!(ret.get("connections") instanceof List<?> list)) {
            throw new IOException("list_connections: no \"connections\" in the reply");
        }
        for (Object o : list) {
            if (!(o instanceof Map<?, ?> m)) {
                throw new IOException("list_connections: an entry is not an object");
            }
            out.add(new FlowInfo(text(m, "proto"), text(m, "guest_addr"), (int) number(m, "guest_port"),
                    text(m, "remote_addr"), (int) number(m, "remote_port"), text(m, "state"),
                    number(m, "bytes_from_guest"), number(m, "bytes_to_guest"), number(m, "packets_from_guest"),
                    number(m, "packets_to_guest"), number(m, "age_ms")));
        }
        return out;
    }

    /** {@code get_stats}: every counter by name, in the server's order. */
    public Map<String, Long> getStats() throws IOException {
        Map<String, Long> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : call("get_stats").entrySet()) {
            if (e.getValue() instanceof Long l) {
                out.put(String.valueOf(e.getKey()), l);
            }
        }
        return out;
    }

    private Map<?, ?> call(String command) throws IOException {
        String reply;
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.write(ByteBuffer.wrap(("{\"execute\":\"" + command + "\"}").getBytes(StandardCharsets.US_ASCII)));
            ch.shutdownOutput();
            ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
            while (ch.read(buf) >= 0) {
                if (!buf.hasRemaining()) {
                    if (buf.capacity() >= MAX_REPLY) {
                        throw new IOException(command + ": reply longer than " + MAX_REPLY + " bytes");
                    }
                    buf = ByteBuffer.allocate(buf.capacity() * 2).put(buf.flip());
                }
            }
            reply = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
        }
        Object v;
        try {
            v = Json.parse(reply);
        } catch (Json.MalformedException e) {
            throw new IOException(command + ": the reply is not JSON: " + reply);
        }
        if (v instanceof Map<?, ?> m && m.get("return") instanceof Map<?, ?> ret) {
            return ret;
        }
        if (v instanceof Map<?, ?> m && m.get("error") instanceof Map<?, ?> err) {
            throw new IOException(command + ": " + err.get("desc"));
        }
        throw new IOException(command + ": unexpected reply " + reply);
    }

    private static String text(Map<?, ?> m, String key) throws IOException {
        if (m.get(key) instanceof String s) {
            return s;
        }
        throw new IOException("list_connections: no \"" + key + "\" in an entry");
    }

    private static long number(Map<?, ?> m, String key) throws IOException {
        if (m.get(key) instanceof Long l) {
            return l;
        }
        throw new IOException("list_connections: no \"" + key + "\" in an entry");
    }
}
