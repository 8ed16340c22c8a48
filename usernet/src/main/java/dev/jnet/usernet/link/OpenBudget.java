package dev.jnet.usernet.link;

/**
 * How fast one guest may make the host open sockets for it (new TCP connections, UDP flows,
 * echo sockets) while other guests of the same process are active: by default {@value #RATE}
 * per second, bursts of a tenth of a second's worth ({@code jnet usernetd --open-rate}). A host socket is the dearest thing a guest frame can cause (socket,
 * connect, epoll registration and later close: ~100 us of a loop's time in the kernel, against
 * ~1 us for a frame that stays inside the stack), and a guest can ask for them without end: a
 * namespace sending SYNs and datagrams to new ports kept a shared daemon's loop busy on host
 * sockets, and on two CPUs its neighbour's download lost half its rate (bench/usernetd-more.sh
 * {@code METRICS=flood}). Over budget, the link stops reading the guest's tap until the budget
 * has room for {@value #HOLD_OPENS} more: the guest's frames wait in the tap's queue (the kernel
 * drops what overflows it, as a congested link does), and the loop sleeps, which is what gives
 * the neighbours their CPU. A guest alone is never held (nothing to share with: a process of its
 * own, or the only one active in the daemon), and its debt is forgiven, so that a busy guest
 * is not held for long when a neighbour wakes up.
 *
 * <p>Token bucket in nanoseconds; time is passed in (System.nanoTime() in production, a test's
 * clock in tests). On the link's event loop only.
 */
public final class OpenBudget {
    /** Host sockets per second a guest may have opened while it has active neighbours (default). */
    public static final int RATE = 500;
    /** Opens above the rate a guest may make at once at the default rate (a build starting, a page with many parts). */
    public static final int BURST = RATE / 10;
    /** A held guest is read again once this many opens fit (10 ms at the rate: ~100 wake-ups/s). */
    static final int HOLD_OPENS = 5;

    private final long nanosPerOpen;
    private final long burstNanos;
    /** Opens left, in nanoseconds of the rate (one open = nanosPerOpen); negative: in debt. */
    private long credit;
    private long refilledAt;
    private boolean started;

    public OpenBudget() {
        this(RATE);
    }

    /** A budget of {@code rate} opens per second, bursts of a tenth of a second's worth (at least {@value #HOLD_OPENS}). */
    public OpenBudget(int rate) {
        this(rate, Math.max(HOLD_OPENS, rate / 10));
    }

    /** A budget of {@code rate} opens per second, {@code burst} at once (tests). */
    public OpenBudget(int rate, int burst) {
        if (rate <= 0 || burst <= 0) {
            throw new IllegalArgumentException("open budget " + rate + "/s, burst " + burst + ": both must be positive");
        }
        this.nanosPerOpen = 1_000_000_000L / rate;
        this.burstNanos = burst * nanosPerOpen;
        this.credit = burstNanos;
    }

    /** The host opened a socket for the guest at {@code now}. */
    public void charge(long now) {
        refill(now);
        credit -= nanosPerOpen;
    }

    /** Whether the guest has used up its budget (then ask {@link #holdNanos}). */
    public boolean spent() {
        return credit < 0;
    }

    /**
     * How long to stop reading the guest at {@code now}: 0 to read on (budget left, or {@code
     * alone}: the debt is forgiven), else until {@value #HOLD_OPENS} opens (at most a burst) fit again.
     */
    public long holdNanos(long now, boolean alone) {
        refill(now);
        if (credit >= 0) {
            return 0;
        }
        if (alone) {
            credit = 0;
            return 0;
        }
        return Math.min(HOLD_OPENS * nanosPerOpen, burstNanos) - credit;
    }

    private void refill(long now) {
        if (started) {
            credit = Math.min(burstNanos, credit + Math.max(0, now - refilledAt));
        }
        started = true;
        refilledAt = now;
    }
}
