package dev.jnet.it.usernet;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The fake web host (JDK HttpServer bound inside a namespace; it does no name lookups):
 * {@code GET /f} serves {@link #download()}, {@code PUT} or {@code POST /upload} records the
 * body's length and digest and answers them as {@code "<length> <sha256>\n"}.
 */
final class FakeWebServer implements AutoCloseable {
    static final String DOWNLOAD_PATH = "/f";
    static final String UPLOAD_PATH = "/upload";
    private static final int CHUNK = 256 * 1024;

    private final HttpServer server;
    private final ExecutorService workers;
    private final byte[] download;
    private final ConcurrentLinkedQueue<Received> uploads = new ConcurrentLinkedQueue<>();

    private FakeWebServer(HttpServer server, ExecutorService workers, byte[] download) {
        this.server = server;
        this.workers = workers;
        this.download = download;
    }

    static FakeWebServer start(String netns, InetSocketAddress at, byte[] download) throws Exception {
        HttpServer server = InNetns.call(netns, () -> HttpServer.create(at, 64));
        ExecutorService workers = Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "fake-web");
            t.setDaemon(true);
            return t;
        });
        FakeWebServer web = new FakeWebServer(server, workers, download);
        server.setExecutor(workers);
        server.createContext("/", web::handle);
        server.start();
        return web;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            String method = ex.getRequestMethod();
            if (path.equals(DOWNLOAD_PATH) && (method.equals("GET") || method.equals("HEAD"))) {
                ex.getResponseHeaders().add("Content-Type", "application/octet-stream");
                if (method.equals("HEAD")) {
                    ex.sendResponseHeaders(200, -1);
                    return;
                }
                long length = sizeAsked(ex.getRequestURI().getQuery(), download.length);
                ex.sendResponseHeaders(200, length);
                OutputStream out = ex.getResponseBody();
                for (long sent = 0; sent < length; ) {
                    int off = (int) (sent % download.length);
                    int n = (int) Math.min(Math.min(CHUNK, download.length - off), length - sent);
                    out.write(download, off, n);
                    sent += n;
                }
            } else if (path.equals(UPLOAD_PATH) && (method.equals("PUT") || method.equals("POST"))) {
                Received r = drain(ex.getRequestBody());
                uploads.add(r);
                byte[] body = (r.length() + " " + r.sha256() + "\n").getBytes(StandardCharsets.US_ASCII);
                ex.sendResponseHeaders(200, body.length);
                ex.getResponseBody().write(body);
            } else {
                ex.sendResponseHeaders(404, -1);
            }
        }
    }

    /** {@code GET /f?bytes=N}: the download repeated to N bytes (any size, for long transfers); else all of it once. */
    private static long sizeAsked(String query, long whole) {
        if (query != null && query.startsWith("bytes=")) {
            return Long.parseLong(query.substring(6));
        }
        return whole;
    }

    /** SHA-256 of what {@code GET /f?bytes=N} serves. */
    static String sha256Of(byte[] download, long length) {
        java.security.MessageDigest d = Digests.sha256();
        for (long done = 0; done < length; ) {
            int n = (int) Math.min(download.length, length - done);
            d.update(download, 0, n);
            done += n;
        }
        return Digests.hex(d);
    }

    private static Received drain(InputStream in) throws IOException {
        MessageDigest d = Digests.sha256();
        byte[] buf = new byte[CHUNK];
        long total = 0;
        for (int n; (n = in.read(buf)) > 0; ) {
            d.update(buf, 0, n);
            total += n;
        }
        return new Received("web-upload", total, Digests.hex(d));
    }

    /** The bytes of {@code GET /f}. */
    byte[] download() {
        return download;
    }

    /** Uploads received so far. */
    List<Received> uploads() {
        return List.copyOf(uploads);
    }

    @Override
    public void close() {
        server.stop(0);
        workers.shutdownNow();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
