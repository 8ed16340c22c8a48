package dev.jnet.usernet.api;

import dev.jnet.usernet.FlowInfo;
import java.util.List;
import java.util.Map;

/**
 * The replies of jnet's API additions, in the framing of slirp4netns's (one compact JSON object):
 * {@code {"return":{"connections":[{"proto":"tcp",...}]}}} and {@code {"return":{"frames_received":N,...}}}.
 */
final class ApiViews {
    private ApiViews() {}

    static String connections(List<FlowInfo> flows) {
        return Json.write(g -> {
            g.writeStartObject();
            g.writeObjectFieldStart("return");
            g.writeArrayFieldStart("connections");
            for (FlowInfo f : flows) {
                g.writeStartObject();
                g.writeStringField("proto", f.proto());
                g.writeStringField("guest_addr", f.guestAddr());
                g.writeNumberField("guest_port", f.guestPort());
                g.writeStringField("remote_addr", f.remoteAddr());
                g.writeNumberField("remote_port", f.remotePort());
                g.writeStringField("state", f.state());
                g.writeNumberField("bytes_from_guest", f.bytesFromGuest());
                g.writeNumberField("bytes_to_guest", f.bytesToGuest());
                g.writeNumberField("packets_from_guest", f.packetsFromGuest());
                g.writeNumberField("packets_to_guest", f.packetsToGuest());
                g.writeNumberField("age_ms", f.ageMillis());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
            g.writeEndObject();
        });
    }

    static String stats(Map<String, Long> counters) {
        return Json.write(g -> {
            g.writeStartObject();
            g.writeObjectFieldStart("return");
            for (Map.Entry<String, Long> e : counters.entrySet()) {
                g.writeNumberField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
            g.writeEndObject();
        });
    }
}
