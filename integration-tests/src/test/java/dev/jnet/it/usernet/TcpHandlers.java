package dev.jnet.it.usernet;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** What the fake TCP services do with a connection. Each records what the client sent, once it sent EOF. */
final class TcpHandlers {
    private static final int CHUNK = 64 * 1024;

    private TcpHandlers() {}

    /** Echoes everything back; on the client's EOF half-closes too and records length and digest. */
    static FakeTcpServer.Handler echo(String service) {
        return (s, record) -> {
            MessageDigest d = Digests.sha256();
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            byte[] buf = new byte[CHUNK];
            long total = 0;
            for (int n; (n = in.read(buf)) > 0; ) {
                d.update(buf, 0, n);
                out.write(buf, 0, n);
                total += n;
            }
            // recorded before the EOF goes back, so a client that saw its EOF finds the record
            record.accept(new Received(service, total, Digests.hex(d)));
            s.shutdownOutput();
        };
    }

    /**
     * Says nothing until the client half-closed, then replies {@code "<length> <sha256>\n"} and
     * closes: the client's shutdown(SHUT_WR) must not cut the way back.
     */
    static FakeTcpServer.Handler replyAfterEof(String service) {
        return (s, record) -> {
            Received r = drain(service, s.getInputStream());
            record.accept(r);
            s.getOutputStream().write((r.length() + " " + r.sha256() + "\n").getBytes(StandardCharsets.US_ASCII));
        };
    }

    /**
     * Sends {@code payload} at once, half-closes, then reads what the client sends after seeing
     * that EOF: the server's shutdown(SHUT_WR) must not cut the client's way in.
     */
    static FakeTcpServer.Handler sendThenRead(String service, byte[] payload) {
        return (s, record) -> {
            s.getOutputStream().write(payload);
            s.shutdownOutput();
            record.accept(drain(service, s.getInputStream()));
        };
    }

    /**
     * Writes {@code bytes} (zeros) as fast as the client takes them and closes, reading nothing:
     * a download that needs no request (a client that never acknowledges holds it up forever).
     */
    static FakeTcpServer.Handler source(long bytes) {
        return (s, record) -> {
            byte[] chunk = new byte[CHUNK];
            java.io.OutputStream out = s.getOutputStream();
            for (long left = bytes; left > 0; left -= chunk.length) {
                out.write(chunk, 0, (int) Math.min(chunk.length, left));
            }
            s.shutdownOutput();
        };
    }

    /** Writes one line and closes (after the client's EOF, or at once if it sends nothing). */
    static FakeTcpServer.Handler greet(String service, String line) {
        return (s, record) -> {
            s.getOutputStream().write((line + "\n").getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
            record.accept(drain(service, s.getInputStream()));
        };
    }

    private static Received drain(String service, InputStream in) throws IOException {
        MessageDigest d = Digests.sha256();
        byte[] buf = new byte[CHUNK];
        long total = 0;
        for (int n; (n = in.read(buf)) > 0; ) {
            d.update(buf, 0, n);
            total += n;
        }
        return new Received(service, total, Digests.hex(d));
    }
}
