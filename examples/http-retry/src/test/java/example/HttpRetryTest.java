package example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jnet.junit.ImpairedLink;
import dev.jnet.junit.JnetTopologyExtension;
import dev.jnet.junit.Netns;
import dev.jnet.junit.Topology;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** An HTTP client with retries against a server behind a link that loses 10% of all frames. */
@ExtendWith(JnetTopologyExtension.class)
class HttpRetryTest {
    /** GETs {@code url} up to {@code attempts} times, each with a time limit; the body of the first success. */
    static String getWithRetries(String url, int attempts) throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
        Exception last = null;
        for (int i = 0; i < attempts; i++) {
            try {
                HttpRequest req = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build();
                HttpResponse<String> resp = client.send(req, HttpResponse.BodyHandlers.ofString());
                if (resp.statusCode() == 200) {
                    return resp.body();
                }
                last = new IllegalStateException("status " + resp.statusCode());
            } catch (HttpTimeoutException | java.net.ConnectException e) {
                last = e;
            }
        }
        throw last;
    }

    @Test
    void everyRequestSucceedsThroughTenPercentLoss(Topology t) throws Exception {
        Netns client = t.namespace("client");
        Netns server = t.namespace("server");
        ImpairedLink link = t.impairedLink(client, "eth0", server, "eth0");
        client.address("eth0", "192.0.2.1/24");
        server.address("eth0", "192.0.2.80/24");
        Process httpd = server.start(new ProcessBuilder(), "python3", "-c",
                "import http.server\n"
                + "class H(http.server.BaseHTTPRequestHandler):\n"
                + "  def do_GET(self):\n"
                + "    b=('hello '+self.path).encode()*100\n"
                + "    self.send_response(200); self.send_header('Content-Length',str(len(b))); self.end_headers(); self.wfile.write(b)\n"
                + "  def log_message(self,*a): pass\n"
                + "s=http.server.HTTPServer(('192.0.2.80',8080),H)\nprint('up',flush=True)\ns.serve_forever()");
        assertEquals("up", new String(httpd.getInputStream().readNBytes(2)));
        link.loss(0.10);

        Netns.SerializableCallable<Integer> twentyRequests = () -> {
            int ok = 0;
            for (int i = 0; i < 20; i++) {
                String body = getWithRetries("http://192.0.2.80:8080/item/" + i, 5);
                if (body.startsWith("hello /item/" + i)) {
                    ok++;
                }
            }
            return ok;
        };
        // root can run this on a thread inside the namespace; without root it runs in a child JVM
        int ok = t.isRootless() ? client.callInChildJvm(twentyRequests) : client.call(twentyRequests);
        assertEquals(20, ok);
        assertTrue(link.counters(ImpairedLink.Direction.A_TO_B).faults().dropped()
                + link.counters(ImpairedLink.Direction.B_TO_A).faults().dropped() > 0, "the link lost frames");
    }
}
