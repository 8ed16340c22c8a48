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

    /** A running stack: where frames from the guest go, and how to stop it. */
    record Attached(FrameHandler frames, AutoCloseable stop) {}

    /** The stack jnet ships ({@link Stack#create}). */
    static StackFactory builtIn() {
        return (config, scheduler, sink) -> {
            Stack stack = Stack.create(config, scheduler, sink);
            return new Attached(stack, stack);
        };
    }
}
