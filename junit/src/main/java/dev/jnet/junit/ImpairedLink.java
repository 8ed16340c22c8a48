package dev.jnet.junit;

import dev.jnet.linux.Fd;
import dev.jnet.linux.Helper;
import dev.jnet.linux.Syscalls;
import dev.jnet.rtnl.LinkChange;
import dev.jnet.usernet.EventLoopScheduler;
import dev.jnet.usernet.link.FaultInjector;
import dev.jnet.usernet.link.FaultInjector.Faults;
import dev.jnet.usernet.link.FrameHandler;
import dev.jnet.usernet.link.FrameSink;
import dev.jnet.usernet.link.LinkShaper;
import dev.jnet.usernet.link.PacketCapture;
import dev.jnet.usernet.link.TapLink;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.IoEventLoop;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;

/**
 * A point-to-point Ethernet link between two namespaces made in user space, for impairments
 * without root and without netem: a tap device in each namespace, and this JVM moving frames
 * between them on one event loop through usernet's {@link FaultInjector} (loss, duplication,
 * reordering, corruption, delay with jitter) and a {@link LinkShaper} (bandwidth, partition),
 * each direction on its own. It carries whatever the kernels send (ARP, IPv4, IPv6, TCP, UDP,
 * ICMP). Every frame seen at each end is written to a pcap file.
 *
 * <p>Settings change while traffic flows and are in effect when the call returns.
 */
public final class ImpairedLink {
    /** A direction of the link: from the first namespace to the second, or back. */
    public enum Direction { A_TO_B, B_TO_A }

    /** What one direction did: the fault injector's counts and the shaper's. */
    public record Counters(FaultInjector.Counters faults, LinkShaper.Counters shaper) {}

    /** Each end's capture: a pcap file of the frames it sent and received (bounded to 16 MiB). */
    static final long CAPTURE_BYTES = 16L << 20;

    private final String name;
    private final IoEventLoop loop;
    private final List<AutoCloseable> parts = new ArrayList<>();
    private final List<Path> captures = new ArrayList<>();
    private FaultInjector injector;
    private LinkShaper shaperAB;
    private LinkShaper shaperBA;
    private Faults faultsAB = Faults.NONE;
    private Faults faultsBA = Faults.NONE;

    private ImpairedLink(String name, IoEventLoop loop) {
        this.name = name;
        this.loop = loop;
    }

    static ImpairedLink create(IoEventLoop loop, Netns a, String aDev, Netns b, String bDev, int mtu, long seed,
            Path captureDir) {
        String name = a.name() + "-" + aDev + "--" + b.name() + "-" + bDev;
        ImpairedLink link = new ImpairedLink(name, loop);
        try {
            link.build(a, aDev, b, bDev, mtu, seed, captureDir);
            return link;
        } catch (RuntimeException | IOException e) {
            link.close();
            throw e instanceof TopologyException te ? te
                    : new TopologyException("cannot create impaired link " + name + ": " + e.getMessage(), e);
        }
    }

    private void build(Netns a, String aDev, Netns b, String bDev, int mtu, long seed, Path captureDir)
            throws IOException {
        ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
        TapLink tapA = tap(a, aDev, mtu, alloc);
        TapLink tapB = tap(b, bDev, mtu, alloc);
        PacketCapture capA = capture(captureDir, name + "." + a.name() + ".pcap");
        PacketCapture capB = capture(captureDir, name + "." + b.name() + ".pcap");
        onLoop(() -> {
            EventLoopScheduler scheduler = new EventLoopScheduler(loop);
            injector = new FaultInjector(new FaultInjector.Config(seed, Faults.NONE, Faults.NONE), scheduler);
            parts.add(0, injector);
            FrameSink toB = capB.sink(tapB);
            FrameSink toA = injector.stackToGuest(capA.sink(tapA));
            // A is the injector's "guest", B its "stack": A->B passes guestToStack, B->A stackToGuest
            shaperAB = new LinkShaper(scheduler, injector.guestToStack(toB::sendFrame));
            shaperBA = new LinkShaper(scheduler, toA::sendFrame);
            parts.add(0, shaperAB);
            parts.add(0, shaperBA);
            tapA.start(capA.handler(shaperAB, alloc));
            tapB.start(capB.handler(shaperBA, alloc));
            return null;
        });
        for (Netns n : List.of(a, b)) {
            String dev = n == a ? aDev : bDev;
            n.rtnl().setLink(dev, LinkChange.none().withMtu(mtu).withUp(true));
        }
    }

    private TapLink tap(Netns ns, String dev, int mtu, ByteBufAllocator alloc) throws IOException {
        Fd fd;
        try {
            fd = ns.enter().takeTap(dev);
        } catch (Helper.HelperException e) {
            throw new TopologyException("cannot create tap " + dev + " in namespace " + ns.name() + ": "
                    + e.getMessage(), e);
        }
        Syscalls.setNonBlocking(fd.get(), "tap " + dev);
        TapLink link = TapLink.register(loop, fd, mtu, alloc, TapLink.DEFAULT_TX_QUEUE, failure -> {});
        parts.add(link);
        return link;
    }

    private PacketCapture capture(Path dir, String file) throws IOException {
        PacketCapture c = PacketCapture.open(dir.resolve(file), CAPTURE_BYTES);
        parts.add(c);
        captures.add(c.path());
        return c;
    }

    /** {@code namespaceA-devA--namespaceB-devB}. */
    public String name() {
        return name;
    }

    /** The same fault rates both ways. */
    public ImpairedLink faults(Faults both) {
        return faults(both, both);
    }

    /** Fault rates of each direction from now on. */
    public ImpairedLink faults(Faults aToB, Faults bToA) {
        onLoop(() -> {
            faultsAB = aToB;
            faultsBA = bToA;
            injector.setFaults(aToB, bToA);
            return null;
        });
        return this;
    }

    /** Fault rates of one direction from now on; the other keeps its own. */
    public ImpairedLink faults(Direction d, Faults f) {
        return d == Direction.A_TO_B ? faults(f, faultsBA) : faults(faultsAB, f);
    }

    /** Drops each frame with probability {@code p}, both ways (other faults unchanged). */
    public ImpairedLink loss(double p) {
        return faults(withDrop(faultsAB, p), withDrop(faultsBA, p));
    }

    /** Delays every frame by a uniformly random time up to {@code maxMillis} (jitter), both ways. */
    public ImpairedLink jitter(long maxMillis) {
        return faults(withDelay(faultsAB, maxMillis), withDelay(faultsBA, maxMillis));
    }

    /** Cuts the link both ways (frames are dropped, as at a pulled cable) or mends it. */
    public ImpairedLink partition(boolean on) {
        return partition(Direction.A_TO_B, on).partition(Direction.B_TO_A, on);
    }

    /** Cuts or mends one direction only (an asymmetric partition). */
    public ImpairedLink partition(Direction d, boolean on) {
        onLoop(() -> {
            shaper(d).partition(on);
            return null;
        });
        return this;
    }

    /** Limits both directions to {@code bitsPerSecond} (0: unlimited). */
    public ImpairedLink bandwidth(long bitsPerSecond) {
        return bandwidth(Direction.A_TO_B, bitsPerSecond).bandwidth(Direction.B_TO_A, bitsPerSecond);
    }

    public ImpairedLink bandwidth(Direction d, long bitsPerSecond) {
        onLoop(() -> {
            shaper(d).rate(bitsPerSecond);
            return null;
        });
        return this;
    }

    /** What direction {@code d} did so far. */
    public Counters counters(Direction d) {
        return onLoop(() -> new Counters(d == Direction.A_TO_B ? injector.toStackCounters() : injector.toGuestCounters(),
                shaper(d).counters()));
    }

    /** The pcap files of the two ends (the first namespace's first). */
    public List<Path> captures() {
        return List.copyOf(captures);
    }

    private LinkShaper shaper(Direction d) {
        return d == Direction.A_TO_B ? shaperAB : shaperBA;
    }

    private static Faults withDrop(Faults f, double p) {
        return new Faults(p, f.duplicate(), f.reorder(), f.corrupt(), f.delay(), f.maxDelayNanos());
    }

    private static Faults withDelay(Faults f, long maxMillis) {
        return new Faults(f.drop(), f.duplicate(), f.reorder(), f.corrupt(), maxMillis > 0 ? 1 : 0,
                maxMillis * 1_000_000L);
    }

    private <T> T onLoop(Callable<T> task) {
        try {
            return loop.submit(task).get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new TopologyException(name + ": " + e.getCause(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TopologyException(name + ": interrupted");
        }
    }

    /** Stops moving frames, releases what is queued, closes the taps and the captures. */
    void close() {
        List<AutoCloseable> toClose = new ArrayList<>(parts);
        parts.clear();
        if (loop.isShuttingDown()) {
            closeAll(toClose);
            return;
        }
        onLoop(() -> {
            closeAll(toClose.stream().filter(c -> !(c instanceof PacketCapture)).toList());
            return null;
        });
        closeAll(toClose.stream().filter(c -> c instanceof PacketCapture).toList());
    }

    private static void closeAll(List<AutoCloseable> list) {
        for (AutoCloseable c : list) {
            try {
                c.close();
            } catch (Exception ignored) {
                // disposal goes on: a test's clean-up must not stop half-way
            }
        }
    }
}
