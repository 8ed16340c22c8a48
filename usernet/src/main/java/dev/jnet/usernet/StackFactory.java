package dev.jnet.usernet;

import dev.jnet.usernet.forward.PortForwarding;
import dev.jnet.usernet.link.FaultInjector;
import dev.jnet.usernet.link.FrameHandler;
import dev.jnet.usernet.link.FrameSink;
import dev.jnet.usernet.link.PacketCapture;

/**
 * Makes the stack that serves one guest link, on the link's event loop: {@code config} for its
 * addresses and limits, {@code scheduler} for its thread and timers, {@code sink} for frames to
 * the guest. {@link Usernet} hands it the frames from the guest and closes it at the end.
 */
@FunctionalInterface
public interface StackFactory {
    Attached create(UsernetConfig config, EventLoopScheduler scheduler, FrameSink sink);

    /**
     * A running stack: where frames from the guest go, how to stop it, how to read its counters
     * and tables, its port forwards ({@code null} when the stack has none), and its flows
     * ({@code null} when it shows none; called from any thread).
     */
    record Attached(FrameHandler frames, AutoCloseable stop, java.util.function.Supplier<StackStats> stats,
            PortForwarding forwarding, java.util.function.Supplier<java.util.List<FlowInfo>> flows) {
        /** A stack that shows no flows. */
        public Attached(FrameHandler frames, AutoCloseable stop, java.util.function.Supplier<StackStats> stats,
                PortForwarding forwarding) {
            this(frames, stop, stats, forwarding, null);
        }

        /** A stack without statistics or forwards. */
        public Attached(FrameHandler frames, AutoCloseable stop) {
            this(frames, stop, null, null);
        }

        /** A stack without forwards. */
        public Attached(FrameHandler frames, AutoCloseable stop, java.util.function.Supplier<StackStats> stats) {
            this(frames, stop, stats, null);
        }
    }

    /**
     * This stack behind a seeded {@link FaultInjector} on both directions of the link (tests of
     * robustness); {@code created} learns each injector made, e.g. to read its counters.
     */
    default StackFactory withFaults(FaultInjector.Config faults, java.util.function.Consumer<FaultInjector> created) {
        return (config, scheduler, sink) -> {
            FaultInjector injector = new FaultInjector(faults, scheduler);
            Attached inner = create(config, scheduler, injector.stackToGuest(sink));
            created.accept(injector);
            return new Attached(injector.guestToStack(inner.frames()), () -> {
                try {
                    inner.stop().close();
                } finally {
                    injector.close();
                }
            }, inner.stats(), inner.forwarding(), inner.flows());
        };
    }

    /**
     * This stack with every frame of the link captured into {@code capture} (closest to the tap:
     * outside a fault injector). The caller owns the capture and closes it after usernet.
     */
    default StackFactory withCapture(PacketCapture capture) {
        return (config, scheduler, sink) -> {
            Attached inner = create(config, scheduler, capture.sink(sink));
            return new Attached(capture.handler(inner.frames(), sink.alloc()), inner.stop(), inner.stats(),
                    inner.forwarding(), inner.flows());
        };
    }

    /** The stack jnet ships ({@link Stack#create}). */
    static StackFactory builtIn() {
        return (config, scheduler, sink) -> {
            Stack stack = Stack.create(config, scheduler, sink);
            return new Attached(stack, stack, stack::stats, stack.forwarding(), stack::flows);
        };
    }
}
