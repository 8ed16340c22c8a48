package dev.jnet.cli.usernet;

import dev.jnet.cli.Main;
import dev.jnet.linux.Fd;
import dev.jnet.linux.SyscallException;
import dev.jnet.linux.UnixSockets;
import dev.jnet.usernet.Usernet;
import dev.jnet.usernet.UsernetException;
import dev.jnet.usernet.guest.GuestLinkSetup;
import dev.jnet.usernet.link.Neighbours;
import io.netty.channel.IoEventLoop;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * One front end's connection to {@code jnet usernetd}: a {@code SOCK_SEQPACKET} conversation of
 * NUL-separated fields (one message each, no framing needed):
 * <pre>
 * front end                                   daemon
 * attach NEW|AGAIN CWD ARG...        -&gt;
 *                                    &lt;-      exit CODE STDOUT STDERR        (help, bad input: done)
 *                                    &lt;-      open pid|path TARGET USERNS TAP CONFIGURE READY-FD EXIT-FD
 *                                               [MTU TXQLEN MAC ADDR PREFIX BCAST GW]   (CONFIGURE 1)
 * fds  [SCM_RIGHTS tap]              -&gt;     (with CONFIGURE 1 the front end's child has configured
 *                                               the tap; a front end that sends a route socket too
 *                                               has it configured here, as before)
 *                                    &lt;-      ready STDERR                     (the API socket listens; the front
 *                                                                                 end prints STDERR, then writes -r)
 * stats                              -&gt;
 *                                    &lt;-      stats LINES                      (stats line, faults line if any)
 *                                    &lt;-      say LINE                         (written to stderr after ready)
 * detach                             -&gt;                                       (SIGTERM, -e, target gone)
 *                                    &lt;-      exit 0 "" ""                     (API socket removed)
 * (close: detach)                             exit 1 "" LINE                  (the namespace failed)
 * </pre>
 * The command line is {@code jnet usernet}'s, checked and run by {@link UsernetCommand} itself
 * (through {@link UsernetCommand.Attachment}): same words, same exit codes.
 */
final class UsernetdSession implements UsernetCommand.Attachment {
    private final Fd conn;
    private final IoEventLoop loop;
    private final Neighbours neighbours;
    private final PrebuiltCommandLines prebuilt;
    private Path cwd;
    private boolean again;
    private volatile Supplier<String> statsLine;
    /** The command's stderr: held until "ready" (which carries it), then passed on line by line ("say"). */
    private final FrontEndErr err = new FrontEndErr();
    private Thread watch;

    UsernetdSession(Fd conn, IoEventLoop loop) {
        this(conn, loop, new Neighbours(), null);
    }

    /**
     * {@code neighbours}: the daemon's other namespaces; {@code prebuilt}: command trees built
     * ahead of time (null: each attach builds its own).
     */
    UsernetdSession(Fd conn, IoEventLoop loop, Neighbours neighbours, PrebuiltCommandLines prebuilt) {
        this.conn = conn;
        this.loop = loop;
        this.neighbours = neighbours;
        this.prebuilt = prebuilt;
    }

    void run() {
        UnixSockets.Message first = UnixSockets.receive(conn, 0, "front end");
        List<String> f = fields(first);
        if (f.size() < 3 || !f.get(0).equals("attach")) {
            return; // not a front end of ours (or it left): nothing to answer
        }
        again = f.get(1).equals("AGAIN");
        cwd = Path.of(f.get(2));
        List<String> args = new ArrayList<>();
        args.add("usernet");
        args.addAll(f.subList(3, f.size()));
        StringWriter out = new StringWriter();
        int code;
        UsernetCommand.ATTACHMENT.set(this);
        try {
            String[] a = args.toArray(String[]::new);
            code = Main.run(new PrintWriter(out), new PrintWriter(err),
                    prebuilt != null && PrebuiltCommandLines.fits(a) ? prebuilt.take() : null, a);
        } finally {
            UsernetCommand.ATTACHMENT.remove();
        }
        sendQuietly(message("exit", Integer.toString(code), out.toString(), takeErr()));
        UnixSockets.shutdown(conn); // the watching thread reads end of file and ends before the fd closes
        if (watch != null) {
            try {
                watch.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public Path cwd() {
        return cwd;
    }

    @Override
    public Usernet open(UsernetCommand c, Usernet.Options options, CompletableFuture<Void> stop) {
        boolean configure = c.configureArg() && !again; // a re-attached tap is configured already
        List<String> open = new ArrayList<>(List.of("open", c.netnsTypeArg(), c.targetArg(), c.usernsPathArg(),
                c.tapNameArg(), configure ? "1" : "0", c.readyFdArg(), c.exitFdArg()));
        if (configure) {
            open.addAll(List.of(GuestLinkSetup.values(options.config()))); // the front end configures it in C
        }
        send(message(open.toArray(String[]::new)));
        UnixSockets.Message m = UnixSockets.receive(conn, 2, "front end");
        if (m.fds().length == 0 || !fields(m).get(0).equals("fds")) {
            closeAll(m.fds());
            // the front end could not open the tap: it said why itself and exits 1
            throw new UsernetException(UsernetException.Kind.TAP, "the front end sent no tap");
        }
        Fd tap = Fd.adopt(m.fds()[0], "tap " + c.tapNameArg());
        Fd rtnl = m.fds().length > 1 ? Fd.adopt(m.fds()[1], "route socket") : null;
        Usernet u = Usernet.serve(loop, neighbours, tap, rtnl, c.tapNameArg(), options.config(), options.stack());
        watch = new Thread(() -> watchFrontEnd(stop), Thread.currentThread().getName() + "-conn");
        watch.setDaemon(true);
        watch.start();
        return u;
    }

    @Override
    public void ready(Supplier<String> statsLine) {
        this.statsLine = statsLine;
        send(message("ready", err.take(true))); // the front end prints it, then writes its ready fd
    }

    /**
     * The command's stderr as the front end prints it: what comes before "ready" travels with it;
     * after it each line is sent as it is written (as a standalone process writes it to its
     * stderr: a pcap reaching its bound, a failure), the rest with "exit".
     */
    private final class FrontEndErr extends Writer {
        private final StringBuilder pending = new StringBuilder();
        private boolean live;

        @Override
        public synchronized void write(char[] chars, int off, int len) {
            pending.append(chars, off, len);
            for (int nl; live && (nl = pending.indexOf("\n")) >= 0; pending.delete(0, nl + 1)) {
                sendQuietly(message("say", pending.substring(0, nl)));
            }
        }

        /** What is held, cleared; {@code goLive}: lines written from now on go out at once. */
        synchronized String take(boolean goLive) {
            live = goLive;
            String s = pending.toString();
            pending.setLength(0);
            return s;
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }

    private String takeErr() {
        return err.take(false);
    }

    /** Reads the front end's requests until it detaches (end of file): then the namespace is done. */
    private void watchFrontEnd(CompletableFuture<Void> stop) {
        try {
            while (true) {
                UnixSockets.Message m = UnixSockets.receive(conn, 0, "front end");
                if (m.eof() || fields(m).get(0).equals("detach")) {
                    break; // the front end is done; on "detach" it waits for our "exit"
                }
                if (fields(m).get(0).equals("stats")) {
                    sendQuietly(message("stats", statsLine.get()));
                }
            }
        } catch (SyscallException | IllegalStateException e) {
            // the connection failed or closed under us: detach as on end of file
        }
        stop.complete(null);
    }

    private void send(byte[] m) {
        try {
            UnixSockets.send(conn, m, new int[0], "front end");
        } catch (SyscallException e) {
            throw new UsernetException(UsernetException.Kind.RUNTIME, "the front end went away: " + e.getMessage(), e);
        }
    }

    private void sendQuietly(byte[] m) {
        try {
            UnixSockets.send(conn, m, new int[0], "front end");
        } catch (SyscallException | IllegalStateException e) {
            // it detached first: nothing to tell
        }
    }

    static byte[] message(String... fields) {
        return String.join("\0", fields).getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> fields(UnixSockets.Message m) {
        return Arrays.asList(m.text().split("\0", -1));
    }

    private static void closeAll(int[] fds) {
        for (int fd : fds) {
            Fd.adopt(fd, "received fd").close();
        }
    }
}
