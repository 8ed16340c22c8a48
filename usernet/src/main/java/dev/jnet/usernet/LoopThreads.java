package dev.jnet.usernet;

import dev.jnet.linux.SyscallException;
import dev.jnet.linux.Syscalls;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.ThreadFactory;

/**
 * The stack's event-loop threads: Netty's daemon threads, each asking the kernel for 10 ms time
 * slices ({@code sched_attr.sched_runtime}, Linux 6.12's EEVDF; {@value #PROPERTY} sets another
 * length, 0 leaves the kernel's default).
 *
 * <p>Why: EEVDF lets a waking thread preempt the running one when its deadline (its last
 * vruntime plus its slice) is earlier, and lets a thread with a shorter slice cut a longer one's
 * short. The loop is woken by the guest's and the host's sockets, nearly always by a process
 * that is about to block itself (it sent a request and waits for the answer); preempting it
 * first only means it runs again later to block, a context switch more. With a slice longer
 * than the default (the base slice times 1 + log2 of the CPUs up to 8: 1.4 ms on 2 CPUs with
 * Linux 6.18, at most 5.6 ms) the loop's deadline is
 * later than such a waker's, so it runs when the waker blocks; and a process the loop wakes,
 * with the default slice, still preempts the loop at once. Nothing else changes: weight, nice
 * value and fair share are the thread's, and a task that does not block (a CPU hog) is not
 * preempted by the woken loop in either case while its slice is protected. Measured on a
 * 2-vCPU VM (bench/results/2026-12-08-wakeup-clock.md): a 1-byte round trip on one CPU 4-6 us
 * faster (medians 61.5-63.6 against 66.8-70.1 us), the stack's CPU per round trip ~2 us lower,
 * throughput and new connections as before; 3 ms was not enough there.
 *
 * <p>The request is a hint: a kernel before 6.12 ignores it, and where the call is refused (a
 * seccomp filter) the loop runs with the default slice.
 */
public final class LoopThreads implements ThreadFactory {
    /** The loop threads' time slice in microseconds: 0 for the kernel's default, at most 100000. */
    public static final String PROPERTY = "jnet.usernet.loop-slice-us";
    static final long DEFAULT_SLICE_MICROS = 10_000;
    private static final long MAX_SLICE_MICROS = 100_000;

    private final ThreadFactory netty;
    private final long sliceNanos;

    private LoopThreads(String prefix, long sliceMicros) {
        this.netty = new DefaultThreadFactory(prefix, true);
        this.sliceNanos = sliceMicros * 1000;
    }

    /** Loop threads named {@code prefix-…}, with the slice {@value #PROPERTY} names. */
    public static LoopThreads named(String prefix) {
        String v = System.getProperty(PROPERTY);
        return new LoopThreads(prefix, v == null ? DEFAULT_SLICE_MICROS : sliceMicros(v));
    }

    /** Loop threads asking for {@code sliceMicros} (0: nothing asked). */
    static LoopThreads named(String prefix, long sliceMicros) {
        return new LoopThreads(prefix, sliceMicros);
    }

    /** {@code value} as a slice in microseconds; anything else is a configuration error naming the property. */
    static long sliceMicros(String value) {
        long us;
        try {
            us = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            us = -1;
        }
        if (us < 0 || us > MAX_SLICE_MICROS) {
            throw new IllegalArgumentException(PROPERTY + ": '" + value + "' is not a number of microseconds from 0 to "
                    + MAX_SLICE_MICROS);
        }
        return us;
    }

    @Override
    public Thread newThread(Runnable r) {
        return netty.newThread(() -> {
            requestSlice();
            r.run();
        });
    }

    private void requestSlice() {
        if (sliceNanos == 0) {
            return;
        }
        try {
            Syscalls.requestThreadSlice(sliceNanos, "of an event-loop thread");
        } catch (SyscallException e) {
            // a hint only: the default slice serves, a little slower
        }
    }
}
