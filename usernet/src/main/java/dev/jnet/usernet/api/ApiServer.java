package dev.jnet.usernet.api;

import dev.jnet.net.InvalidAddressException;
import dev.jnet.net.IpAddress;
import dev.jnet.usernet.forward.HostForward;
import dev.jnet.usernet.forward.PortForwarding;
import dev.jnet.usernet.forward.ForwardException;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * slirp4netns's API socket ({@code --api-socket}): a unix stream socket, mode 0600; each
 * connection carries one JSON request and gets one JSON reply, then is closed. Commands and
 * replies are slirp4netns's, byte for byte where it defines them ({@code add_hostfwd} →
 * {@code {"return":{"id":N}}}, {@code list_hostfwd} → {@code {"entries":[...]}}, {@code
 * remove_hostfwd} → {@code {"return":{}}}, errors {@code {"error":{"desc":"bad request: ..."}}}),
 * plus one opt-in field: {@code "preserve_source":true} in {@code add_hostfwd}'s arguments.
 *
 * <p>Served on the stack's event loop, every client at once (slirp4netns serves one at a time
 * from a listen backlog of 0). A request is answered as soon as it is a complete JSON value,
 * whether or not the client shut its side down; it is bounded as in slirp4netns (4096 bytes
 * or more: "too large message"), as are the clients served at once and the time one may take.
 */
public final class ApiServer implements AutoCloseable {
    /** A request this long or longer is refused (slirp4netns's read buffer). */
    public static final int MAX_REQUEST = 4096;
    /** Clients served at once; more are closed at once (they can retry). */
    public static final int MAX_CLIENTS = 256;
    /** A client that has not sent a whole request by then is closed. */
    public static final long CLIENT_TIMEOUT_MILLIS = 10_000;
    private static final int BACKLOG = 256;
    /** sockaddr_un's sun_path, with its terminating zero. */
    private static final int MAX_PATH_BYTES = 107;

    /**
     * What {@code list_connections} and {@code get_stats} read, on the loop (jnet's additions
     * beside slirp4netns's commands).
     */
    public interface Observer {
        /** Every flow the stack holds now. */
        List<dev.jnet.usernet.FlowInfo> flows();

        /** Counters by snake-case name, in the order to show them. */
        Map<String, Long> stats();
    }

    private final EventLoop loop;
    private final PortForwarding forwarding;
    private final Path path;
    /** null: list_connections and get_stats are unknown commands, as in slirp4netns */
    private Observer observer;
    /** the listening channel, set once bound (before anyone but us can reach the socket) */
    private Channel server;
    private int clients;

    private ApiServer(EventLoop loop, PortForwarding forwarding, Path path) {
        this.loop = loop;
        this.forwarding = forwarding;
        this.path = path;
    }

    /**
     * Listens on {@code path} (an existing file there is replaced, as slirp4netns unlinks it),
     * mode 0600 from the first moment: the socket is bound inside a fresh 0700 directory next to
     * {@code path}, made 0600, then renamed into place. Returns once it accepts. Not on the loop.
     *
     * @throws ForwardException {@link ForwardException.Kind#BIND_FAILED} with what failed
     */
    public static ApiServer start(EventLoop loop, PortForwarding forwarding, Path path) {
        return start(loop, forwarding, path, null);
    }

    /** As {@link #start(EventLoop, PortForwarding, Path)}, answering {@code list_connections} and {@code get_stats} from {@code observer}. */
    public static ApiServer start(EventLoop loop, PortForwarding forwarding, Path path, Observer observer) {
        checkPath(path);
        Path target = path.toAbsolutePath();
        Path dir;
        try {
            dir = Files.createTempDirectory(target.getParent(), ".jnet-api-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException | UnsupportedOperationException e) {
            throw new ForwardException(ForwardException.Kind.BIND_FAILED, "API socket " + path + ": " + e, e);
        }
        Path staging = dir.resolve("s");
        ApiServer api = new ApiServer(loop, forwarding, target);
        api.observer = observer;
        Channel server = null;
        try {
            server = new ServerBootstrap().group(loop).channel(EpollServerDomainSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, BACKLOG)
                    .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            api.accepted(ch);
                        }
                    })
                    .bind(new DomainSocketAddress(staging.toString())).syncUninterruptibly().channel();
            api.server = server;
            Files.setPosixFilePermissions(staging, PosixFilePermissions.fromString("rw-------"));
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return api;
        } catch (IOException | RuntimeException e) {
            if (server != null) {
                server.close().syncUninterruptibly();
            }
            String why = e instanceof IOException || e.getMessage() == null ? e.toString() : e.getMessage();
            throw new ForwardException(ForwardException.Kind.BIND_FAILED, "API socket " + path + ": " + why, e);
        } finally {
            try {
                Files.deleteIfExists(staging);
                Files.deleteIfExists(dir);
            } catch (IOException ignored) {
                // a left-over empty 0700 directory is harmless
            }
        }
    }

    /**
     * Refuses a path that cannot become a socket: too long for {@code sun_path} (slirp4netns's
     * check), or in a directory that does not exist.
     *
     * @throws ForwardException {@link ForwardException.Kind#BIND_FAILED}
     */
    public static void checkPath(Path path) {
        Path target = path.toAbsolutePath();
        if (target.toString().getBytes(StandardCharsets.UTF_8).length > MAX_PATH_BYTES) {
            throw new ForwardException(ForwardException.Kind.BIND_FAILED,
                    "the API socket path is too long (>= " + (MAX_PATH_BYTES + 1) + " bytes): " + path);
        }
        if (!Files.isDirectory(target.getParent())) {
            throw new ForwardException(ForwardException.Kind.BIND_FAILED,
                    "API socket " + path + ": no directory " + target.getParent());
        }
    }

    /** Where it listens. */
    public Path path() {
        return path;
    }

    /** Stops listening and removes the socket file. Idempotent; from any thread but the loop. */
    @Override
    public void close() {
        if (server.isOpen()) {
            server.close().syncUninterruptibly();
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new UncheckedIOException("removing the API socket " + path, e);
        }
    }

    private void accepted(Channel ch) {
        if (clients >= MAX_CLIENTS) {
            ch.close();
            return;
        }
        clients++;
        ch.closeFuture().addListener(f -> clients--);
        ch.pipeline().addLast(new Client());
    }

    /** One connection: bytes until a whole JSON value (or EOF, or too many), then one reply. */
    private final class Client extends ChannelInboundHandlerAdapter {
        private final ByteBuf request = Unpooled.buffer(256, MAX_REQUEST);
        private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        private ScheduledFuture<?> timeout;
        private boolean answered;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            timeout = loop.schedule(() -> ctx.close(), CLIENT_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (answered || !(msg instanceof ByteBuf data)) {
                    return;
                }
                if (data.readableBytes() >= MAX_REQUEST - request.readableBytes()) {
                    reply(ctx, error("too large message"));
                    return;
                }
                request.writeBytes(data);
                attempt(ctx, false);
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent && !answered) {
                attempt(ctx, true); // the client is done sending: what we have is the request
            }
            ReferenceCountUtil.release(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // a client that vanished mid-request
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (timeout != null) {
                timeout.cancel(false);
            }
            request.release();
        }

        /** Answers if the bytes so far are a whole request (or can never become one). */
        private void attempt(ChannelHandlerContext ctx, boolean eof) {
            String text = decode(eof);
            if (text == null) {
                if (eof) {
                    reply(ctx, error("cannot parse JSON"));
                }
                return; // an incomplete UTF-8 sequence: wait for its rest
            }
            Object value;
            try {
                value = Json.parse(text);
            } catch (Json.Incomplete e) {
                if (eof) {
                    reply(ctx, error("cannot parse JSON"));
                }
                return;
            } catch (Json.MalformedException e) {
                reply(ctx, error("cannot parse JSON"));
                return;
            }
            answered = true;
            handle(ctx, value);
        }

        /** The request so far as text; {@code null} if it ends inside a UTF-8 sequence (or is not UTF-8). */
        private String decode(boolean eof) {
            ByteBuffer in = request.nioBuffer();
            CharBuffer out = CharBuffer.allocate(request.readableBytes());
            utf8.reset();
            CoderResult r = utf8.decode(in, out, true);
            if (r.isError()) {
                // malformed at the very end may be a sequence still arriving
                return !eof && in.remaining() < 4 && in.position() + r.length() == in.limit() ? null : "\u0000";
            }
            utf8.flush(out);
            return out.flip().toString();
        }

        private void reply(ChannelHandlerContext ctx, String json) {
            answered = true;
            if (timeout != null) {
                timeout.cancel(false);
            }
            if (!ctx.channel().isActive()) {
                return;
            }
            ctx.writeAndFlush(Unpooled.copiedBuffer(json, StandardCharsets.UTF_8))
                    .addListener(ChannelFutureListener.CLOSE);
        }

        private void handle(ChannelHandlerContext ctx, Object value) {
            if (!(value instanceof Map<?, ?> request)) {
                reply(ctx, error("json_object() failed"));
                return;
            }
            Object execute = request.get("execute");
            if (!(execute instanceof String command)) {
                reply(ctx, error("no execute found"));
                return;
            }
            Map<?, ?> args = request.get("arguments") instanceof Map<?, ?> m ? m : Map.of();
            switch (command) {
                case "add_hostfwd" -> add(ctx, args);
                case "list_hostfwd" -> list(ctx);
                case "remove_hostfwd" -> remove(ctx, args);
                case "list_connections" -> reply(ctx, observer == null ? error("unknown execute")
                        : ApiViews.connections(observer.flows()));
                case "get_stats" -> reply(ctx, observer == null ? error("unknown execute")
                        : ApiViews.stats(observer.stats()));
                default -> reply(ctx, error("unknown execute"));
            }
        }

        private void add(ChannelHandlerContext ctx, Map<?, ?> args) {
            HostForward.Proto proto = args.get("proto") instanceof String s ? HostForward.Proto.parse(s) : null;
            if (proto == null) {
                reply(ctx, error("add_hostfwd: bad arguments.proto"));
                return;
            }
            InetAddress host;
            InetAddress guest;
            try {
                host = address(args.get("host_addr"));
            } catch (UnknownHostException e) {
                reply(ctx, error("add_hostfwd: bad arguments.host_addr"));
                return;
            }
            int hostPort = port(args.get("host_port"));
            if (hostPort == 0) {
                reply(ctx, error("add_hostfwd: bad arguments.host_port"));
                return;
            }
            try {
                guest = address(args.get("guest_addr"));
            } catch (UnknownHostException e) {
                reply(ctx, error("add_hostfwd: bad arguments.guest_addr"));
                return;
            }
            int guestPort = port(args.get("guest_port"));
            if (guestPort == 0) {
                reply(ctx, error("add_hostfwd: bad arguments.guest_port"));
                return;
            }
            Object preserve = args.containsKey("preserve_source") ? args.get("preserve_source") : Boolean.FALSE;
            if (!(preserve instanceof Boolean preserveSource)) {
                reply(ctx, error("add_hostfwd: bad arguments.preserve_source"));
                return;
            }
            forwarding.add(new HostForward(proto, host, hostPort, guest, guestPort, preserveSource))
                    .whenComplete((id, failure) -> {
                        if (failure == null) {
                            reply(ctx, returned(id));
                        } else {
                            reply(ctx, addError(failure));
                        }
                    });
        }

        private void list(ChannelHandlerContext ctx) {
            forwarding.list().whenComplete((entries, failure) -> {
                if (failure != null) {
                    reply(ctx, error("list_hostfwd: " + cause(failure).getMessage()));
                    return;
                }
                reply(ctx, entries(entries));
            });
        }

        private void remove(ChannelHandlerContext ctx, Map<?, ?> args) {
            int id = args.get("id") instanceof Long l && l > 0 && l <= Integer.MAX_VALUE ? l.intValue() : 0;
            if (id == 0) {
                reply(ctx, error("remove_hostfwd: bad arguments.id"));
                return;
            }
            forwarding.remove(id).whenComplete((ok, failure) -> {
                if (failure == null) {
                    reply(ctx, returned(null));
                } else if (cause(failure) instanceof ForwardException f
                        && f.kind() == ForwardException.Kind.UNKNOWN_ID) {
                    reply(ctx, error("remove_hostfwd: bad arguments.id"));
                } else {
                    reply(ctx, error("remove_hostfwd: " + cause(failure).getMessage()));
                }
            });
        }
    }

    /** slirp4netns's list form: {"entries":[{"id":..,"proto":..,...}]}, compact. */
    static String entries(List<PortForwarding.Entry> entries) {
        return Json.write(g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("entries");
            for (PortForwarding.Entry e : entries) {
                HostForward f = e.forward();
                g.writeStartObject();
                g.writeNumberField("id", e.id());
                g.writeStringField("proto", f.proto().wireName());
                g.writeStringField("host_addr", text(f.hostAddr()));
                g.writeNumberField("host_port", f.hostPort());
                g.writeStringField("guest_addr", text(f.guestAddr()));
                g.writeNumberField("guest_port", f.guestPort());
                if (f.preserveSource()) {
                    g.writeBooleanField("preserve_source", true); // only where asked for: slirp4netns's form otherwise
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    /** {"return":{"id":N}}, or {"return":{}} for a {@code null} id. */
    private static String returned(Integer id) {
        return Json.write(g -> {
            g.writeStartObject();
            g.writeObjectFieldStart("return");
            if (id != null) {
                g.writeNumberField("id", id);
            }
            g.writeEndObject();
            g.writeEndObject();
        });
    }

    private static String addError(Throwable failure) {
        Throwable c = cause(failure);
        if (c instanceof ForwardException f) {
            return switch (f.kind()) {
                case BAD_GUEST_ADDRESS -> error("add_hostfwd: bad arguments.guest_addr: " + f.getMessage());
                case BAD_PORT -> error("add_hostfwd: bad arguments: " + f.getMessage());
                default -> error("add_hostfwd: slirp_add_hostfwd failed: " + f.getMessage());
            };
        }
        return error("add_hostfwd: slirp_add_hostfwd failed: " + c);
    }

    private static Throwable cause(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    private static String error(String what) {
        return Json.write(g -> {
            g.writeStartObject();
            g.writeObjectFieldStart("error");
            g.writeStringField("desc", "bad request: " + what);
            g.writeEndObject();
            g.writeEndObject();
        });
    }

    /** 1..65535 from a JSON integer (8080 or 8080.0); 0 for anything else. */
    private static int port(Object v) {
        long p;
        if (v instanceof Long l) {
            p = l;
        } else if (v instanceof Double d && d == Math.rint(d) && !d.isInfinite()) {
            p = d.longValue();
        } else {
            return 0;
        }
        return p >= 1 && p <= 65535 ? (int) p : 0;
    }

    /**
     * An address literal (never a name lookup): absent, null or "" is {@code null} (the
     * default), IPv4 dotted quad, or IPv6 without zone.
     */
    static InetAddress address(Object v) throws UnknownHostException {
        if (v == null || v == Json.NULL || "".equals(v)) {
            return null;
        }
        if (!(v instanceof String s)) {
            throw new UnknownHostException(String.valueOf(v));
        }
        try {
            return IpAddress.parse(s).toInetAddress();
        } catch (InvalidAddressException e) {
            throw new UnknownHostException(e.getMessage());
        }
    }

    /** IPv4 dotted, IPv6 in RFC 5952 form (::1, not 0:0:0:0:0:0:0:1). */
    static String text(InetAddress a) {
        return IpAddress.of(a).toString();
    }
}
