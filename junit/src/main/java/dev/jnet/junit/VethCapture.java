package dev.jnet.junit;

import com.sun.jna.Memory;
import dev.jnet.linux.Errno;
import dev.jnet.linux.Fd;
import dev.jnet.linux.SyscallException;
import dev.jnet.linux.Syscalls;
import dev.jnet.usernet.link.FrameHandler;
import dev.jnet.usernet.link.PacketCapture;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A pcap of one kernel link (a veth end) made in this JVM: an {@code AF_PACKET} socket that
 * jnet-helper opens inside the link's namespace (rootless too: uid 0 of the topology's user
 * namespace may), bound to the link, read by a thread of its own into usernet's
 * {@link PacketCapture} (bounded file, frames in both directions).
 */
final class VethCapture implements AutoCloseable {
    private static final int AF_PACKET = 17;
    private static final int SOCK_RAW = 3;
    /** ETH_P_ALL in network byte order, as sockaddr_ll wants it */
    private static final short ETH_P_ALL_BE = 0x0300;
    private static final int SOCKADDR_LL = 20;
    private static final int ENETDOWN = 100;
    /** Frames read after {@link #close} at most. */
    private static final int DRAIN_FRAMES = 4096;
    /** Larger than any frame a veth hands a packet socket (GSO up to 64 KiB). */
    private static final int BUFFER = 256 << 10;

    private final Fd socket;
    private final PacketCapture capture;
    private final Thread reader;
    private volatile boolean stop;

    private VethCapture(Fd socket, PacketCapture capture, String what) {
        this.socket = socket;
        this.capture = capture;
        this.reader = new Thread(this::read, "jnet-capture-" + what);
        reader.setDaemon(true);
    }

    /** Starts capturing link {@code dev} of {@code ns} into {@code file}. */
    static VethCapture start(Netns ns, String dev, Path file) {
        // protocol 0: the socket takes no frame until bind names the link and the protocol
        Fd fd = ns.openSocket(AF_PACKET, SOCK_RAW, 0);
        PacketCapture pc = null;
        try {
            Memory ll = new Memory(SOCKADDR_LL);
            ll.clear();
            ll.setShort(0, (short) AF_PACKET);
            ll.setShort(2, ETH_P_ALL_BE);
            ll.setInt(4, ns.rtnl().ifindex(dev));
            Syscalls.bind(fd.get(), ll, SOCKADDR_LL, "packet socket on " + dev + " in namespace " + ns.name());
            pc = PacketCapture.open(file, ImpairedLink.CAPTURE_BYTES);
            VethCapture c = new VethCapture(fd, pc, ns.name() + "-" + dev);
            c.reader.start();
            return c;
        } catch (RuntimeException | IOException e) {
            fd.close();
            if (pc != null) {
                pc.close();
            }
            throw new TopologyException("cannot capture " + dev + " in namespace " + ns.name() + ": " + e.getMessage(), e);
        }
    }

    Path path() {
        return capture.path();
    }

    private void read() {
        Memory buf = new Memory(BUFFER);
        ByteBuf view = Unpooled.wrappedBuffer(buf.getByteBuffer(0, BUFFER));
        FrameHandler into = capture.handler(frame -> {}, PooledByteBufAllocator.DEFAULT);
        String what = "packet socket " + reader.getName();
        try {
            // after stop, what the socket holds still goes into the file (bounded: traffic may go on)
            for (int afterStop = 0; afterStop < DRAIN_FRAMES; ) {
                long n;
                try {
                    n = Syscalls.recv(socket.get(), buf, BUFFER, Syscalls.MSG_DONTWAIT, what);
                } catch (SyscallException e) {
                    // ENETDOWN: bound while the link was down (the kernel says so once; frames come once it is up)
                    if (e.errno() != Errno.EAGAIN && e.errno() != ENETDOWN || stop) {
                        return; // drained, or the namespace went away
                    }
                    Syscalls.pollIn(socket.get(), 100, what);
                    continue;
                }
                view.setIndex(0, (int) n);
                into.receiveFrame(view);
                if (stop) {
                    afterStop++;
                }
            }
        } catch (RuntimeException e) {
            // the socket failed: the capture keeps what it has
        } finally {
            view.release();
        }
    }

    /** Stops reading, closes the socket, writes what is queued and closes the file. */
    @Override
    public void close() {
        stop = true;
        try {
            reader.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        socket.close();
        capture.close();
    }
}
