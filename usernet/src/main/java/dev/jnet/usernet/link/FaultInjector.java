package dev.jnet.usernet.link;

import dev.jnet.usernet.Scheduler;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * A seeded, lossy link between the guest and the stack for robustness tests (after smoltcp's
 * {@code phy::FaultInjector}): each direction, independently, drops, duplicates, reorders
 * (holds a frame back until the next one has passed), corrupts (flips one bit: the Internet
 * checksum detects every single-bit error, so checksums must catch it; multi-bit flips can
 * cancel out, which on a real link the Ethernet CRC would catch) and delays frames at the
 * configured rates. It wraps the {@link FrameHandler} the link feeds and the {@link FrameSink}
 * the stack writes to; when no injector is configured nothing is wrapped, so it costs nothing.
 * Everything runs on the stack's scheduler thread; {@link #close} releases held frames.
 * {@link #setFaults} changes the rates while frames flow.
 */
public final class FaultInjector implements AutoCloseable {
    /** The system property {@code jnet usernet} reads its {@link Config} from (see {@link Config#parse}). */
    public static final String PROPERTY = "jnet.usernet.faults";
    /** At most this many frames wait in delay per direction; beyond, frames pass undelayed (bounded memory). */
    static final int MAX_DELAYED = 4096;
    /** A frame held back for reordering is let go after this long if no other frame comes. */
    static final long REORDER_HOLD_NANOS = 1_000_000L;

    /**
     * Rates of one direction, each a probability per frame in [0, 1].
     *
     * @param maxDelayNanos a delayed frame waits uniformly up to this long
     */
    public record Faults(double drop, double duplicate, double reorder, double corrupt, double delay, long maxDelayNanos) {
        public static final Faults NONE = new Faults(0, 0, 0, 0, 0, 0);

        public Faults {
            for (double p : new double[] {drop, duplicate, reorder, corrupt, delay}) {
                if (!(p >= 0 && p <= 1)) {
                    throw new IllegalArgumentException("fault rates are probabilities in [0, 1], not " + p);
                }
            }
            if (maxDelayNanos < 0) {
                throw new IllegalArgumentException("negative delay " + maxDelayNanos);
            }
        }

        /** The same rate {@code p} for every fault. */
        public static Faults uniform(double p, long maxDelayNanos) {
            return new Faults(p, p, p, p, p, maxDelayNanos);
        }
    }

    /**
     * What to inject: a seed (the same seed gives the same faults for the same frames) and the
     * rates towards the stack (frames from the guest) and towards the guest.
     */
    public record Config(long seed, Faults toStack, Faults toGuest) {
        /**
         * Parses {@code key=value} pairs separated by commas: {@code seed=N}, and the rates
         * {@code drop}, {@code duplicate}, {@code reorder}, {@code corrupt}, {@code delay}
         * (probabilities) and {@code delay-ms} (the longest delay), each for both directions or,
         * prefixed with {@code to-stack.} or {@code to-guest.}, for one. Example:
         * {@code seed=7,drop=0.05,duplicate=0.05,reorder=0.05,corrupt=0.05,delay=0.05,delay-ms=10}.
         *
         * @throws IllegalArgumentException naming the bad pair
         */
        public static Config parse(String spec) {
            Map<String, Double> toStack = new TreeMap<>();
            Map<String, Double> toGuest = new TreeMap<>();
            long seed = 1;
            for (String pair : spec.split(",")) {
                String p = pair.strip();
                if (p.isEmpty()) {
                    continue;
                }
                int eq = p.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("fault spec: \"" + p + "\" is not key=value");
                }
                String key = p.substring(0, eq).toLowerCase(Locale.ROOT);
                String value = p.substring(eq + 1);
                try {
                    if (key.equals("seed")) {
                        seed = Long.parseLong(value);
                        continue;
                    }
                    double v = Double.parseDouble(value);
                    if (key.startsWith("to-stack.")) {
                        toStack.put(known(key.substring(9), p), v);
                    } else if (key.startsWith("to-guest.")) {
                        toGuest.put(known(key.substring(9), p), v);
                    } else {
                        toStack.put(known(key, p), v);
                        toGuest.put(known(key, p), v);
                    }
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("fault spec: \"" + p + "\" has no number", e);
                }
            }
            return new Config(seed, faults(toStack), faults(toGuest));
        }

        private static String known(String key, String pair) {
            return switch (key) {
                case "drop", "duplicate", "reorder", "corrupt", "delay", "delay-ms" -> key;
                default -> throw new IllegalArgumentException("fault spec: unknown fault in \"" + pair
                        + "\" (drop, duplicate, reorder, corrupt, delay, delay-ms, seed)");
            };
        }

        private static Faults faults(Map<String, Double> m) {
            return new Faults(m.getOrDefault("drop", 0.0), m.getOrDefault("duplicate", 0.0),
                    m.getOrDefault("reorder", 0.0), m.getOrDefault("corrupt", 0.0), m.getOrDefault("delay", 0.0),
                    (long) (m.getOrDefault("delay-ms", 0.0) * 1_000_000L));
        }
    }

    /** What one direction did so far. */
    public record Counters(long passed, long dropped, long duplicated, long reordered, long corrupted, long delayed) {}

    private final Scheduler scheduler;
    private final Direction toStack;
    private final Direction toGuest;

    public FaultInjector(Config config, Scheduler scheduler) {
        this.scheduler = scheduler;
        // independent streams: one direction's traffic does not shift the other's faults
        this.toStack = new Direction(config.toStack(), new SplittableRandom(config.seed()));
        this.toGuest = new Direction(config.toGuest(), new SplittableRandom(config.seed() ^ 0x5DEECE66DL));
    }

    /** Frames from the guest pass the injector on their way to {@code stack}. */
    public FrameHandler guestToStack(FrameHandler stack) {
        toStack.next = stack::receiveFrame;
        return toStack::pass;
    }

    /** Frames from the stack pass the injector on their way to {@code guest}. */
    public FrameSink stackToGuest(FrameSink guest) {
        toGuest.next = guest::sendFrame;
        toGuest.alloc = guest.alloc();
        return new FrameSink() {
            @Override
            public ByteBufAllocator alloc() {
                return guest.alloc();
            }

            @Override
            public void sendFrame(ByteBuf frame) {
                toGuest.pass(frame);
            }

            @Override
            public void hostSocketOpened() {
                guest.hostSocketOpened();
            }
        };
    }

    /**
     * Changes the rates from now on (a test turning loss up or down while traffic flows); frames
     * already held or delayed keep their fate. Call it on the scheduler's thread.
     */
    public void setFaults(Faults toStack, Faults toGuest) {
        this.toStack.faults = toStack;
        this.toGuest.faults = toGuest;
    }

    public Counters toStackCounters() {
        return toStack.counters();
    }

    public Counters toGuestCounters() {
        return toGuest.counters();
    }

    /** Releases the frames still held or delayed; later frames are dropped. Idempotent. */
    @Override
    public void close() {
        toStack.close();
        toGuest.close();
    }

    private final class Direction {
        private Faults faults;
        private final SplittableRandom random;
        private Consumer<ByteBuf> next;
        private ByteBufAllocator alloc;
        private ByteBuf held;
        private Scheduler.Timer heldTimer;
        private final Set<Delayed> delayed = new LinkedHashSet<>();
        private boolean closed;
        private long passed, dropped, duplicated, reordered, corrupted, delayedCount;

        Direction(Faults faults, SplittableRandom random) {
            this.faults = faults;
            this.random = random;
        }

        void pass(ByteBuf frame) {
            if (closed || next == null) {
                frame.release();
                return;
            }
            if (hit(faults.drop())) {
                dropped++;
                frame.release();
                return;
            }
            if (hit(faults.corrupt()) && frame.readableBytes() > 0) {
                frame = corruptCopy(frame);
                corrupted++;
            }
            ByteBuf copy = null;
            if (hit(faults.duplicate())) {
                copy = copyOf(frame);
                duplicated++;
            }
            forward(frame);
            if (copy != null) {
                forward(copy);
            }
        }

        /** Delay or reorder, then deliver; a frame let go releases the one held back after it. */
        private void forward(ByteBuf frame) {
            if (faults.maxDelayNanos() > 0 && delayed.size() < MAX_DELAYED && hit(faults.delay())) {
                delayedCount++;
                Delayed d = new Delayed(frame);
                delayed.add(d);
                d.timer = scheduler.schedule(d, (long) (random.nextDouble() * faults.maxDelayNanos()));
                return;
            }
            if (held == null && hit(faults.reorder())) {
                reordered++;
                held = frame;
                heldTimer = scheduler.schedule(this::releaseHeld, REORDER_HOLD_NANOS);
                return;
            }
            deliver(frame);
            releaseHeld();
        }

        private void releaseHeld() {
            ByteBuf h = held;
            if (h != null) {
                held = null;
                heldTimer.cancel();
                deliver(h);
            }
        }

        private void deliver(ByteBuf frame) {
            passed++;
            next.accept(frame);
        }

        /** The frame's bytes with one bit flipped: a copy, since the stack may still hold the original (retransmission). */
        private ByteBuf corruptCopy(ByteBuf frame) {
            ByteBuf c = copyOf(frame);
            frame.release();
            int at = c.readerIndex() + random.nextInt(c.readableBytes());
            c.setByte(at, c.getByte(at) ^ (1 << random.nextInt(8)));
            return c;
        }

        private ByteBuf copyOf(ByteBuf frame) {
            ByteBuf c = (alloc != null ? alloc : frame.alloc()).directBuffer(frame.readableBytes());
            return c.writeBytes(frame, frame.readerIndex(), frame.readableBytes());
        }

        private boolean hit(double p) {
            return p > 0 && random.nextDouble() < p;
        }

        Counters counters() {
            return new Counters(passed, dropped, duplicated, reordered, corrupted, delayedCount);
        }

        void close() {
            closed = true;
            if (held != null) {
                heldTimer.cancel();
                held.release();
                held = null;
            }
            for (Delayed d : delayed) {
                d.timer.cancel();
                d.frame.release();
            }
            delayed.clear();
        }

        private final class Delayed implements Runnable {
            final ByteBuf frame;
            Scheduler.Timer timer;

            Delayed(ByteBuf frame) {
                this.frame = frame;
            }

            @Override
            public void run() {
                if (delayed.remove(this)) {
                    deliver(frame);
                    releaseHeld();
                }
            }
        }
    }
}
