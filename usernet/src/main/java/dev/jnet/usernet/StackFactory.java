package dev.jnet.usernet;

import dev.jnet.usernet.link.FrameHandler;
import dev.jnet.usernet.link.FrameSink;

/**
 * Makes the stack that serves one guest link, on the link's event loop: {@code config} for its
 * addresses and limits, {@code scheduler} for its thread and timers, {@code sink} for frames to
 * the guest. {@link Usernet} hands it the frames from the guest and closes it at the end.
 */
@FunctionalInterface
public interface StackFactory {
    Attached create(UsernetConfig config, EventLoopScheduler scheduler, FrameSink sink);

    /**
     * A running stack: where frames from the guest go, how to stop it, and how to read its
     * counters and tables ({@code null} when the stack has none to show).
     */
    record Attached(FrameHandler frames, AutoCloseable stop, java.util.function.Supplier<StackStats> stats) {
        /** A stack without statistics. */
        public Attached(FrameHandler frames, AutoCloseable stop) {
            this(frames, stop, null);
        }
    }

    /** The stack jnet ships ({@link Stack#create}). */
    static StackFactory builtIn() {
        return (config, scheduler, sink) -> {
            Stack stack = Stack.create(config, scheduler, sink);
            return new Attached(stack, stack, stack::stats);
        };
    }
}
